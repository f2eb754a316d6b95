import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseOrThrow } from '../../api/http/problem.js';
import { ValidationError } from '../../lib/errors.js';

describe('parseOrThrow', () => {
  it('turns zod issues into field-level validation errors', () => {
    const schema = z.object({ a: z.object({ b: z.number() }), c: z.string() });
    let error: unknown;
    try {
      parseOrThrow(schema, { a: { b: 'x' } }, 'thing');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).status).toBe(400);
    expect((error as ValidationError).issues.map((i) => i.path)).toEqual(['a.b', 'c']);
  });
});

import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationError } from '../../lib/errors.js';
import { parseOrThrow } from '../../lib/validation.js';

describe('field messages a person can read', () => {
  it("says what is wrong with each field in plain words, not the library's", () => {
    const schema = z
      .object({
        pathway: z.enum(['introductory', 'pilot', 'whole_school']),
        name: z.string().min(1).max(5),
        email: z.email(),
        owner: z.uuid(),
        due: z.iso.datetime(),
        rows: z.array(z.string()).max(1),
        count: z.number().int().max(5),
        custom: z.string().refine((s) => s === 'ok', 'says its own message'),
      })
      .strict();
    const input = {
      pathway: 'x',
      name: '',
      email: 'nope',
      owner: 'x',
      due: 'soon',
      rows: ['a', 'b'],
      count: 'two',
      custom: 'no',
      extra: 1,
    };
    let error: unknown;
    try {
      parseOrThrow(schema, input, 'partnership');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([
      { path: 'pathway', message: 'must be one of: introductory, pilot, whole_school' },
      { path: 'name', message: 'must not be empty' },
      { path: 'email', message: 'must be an email address' },
      { path: 'owner', message: 'must be an id (a UUID)' },
      { path: 'due', message: 'must be a date and time (ISO 8601, e.g. 2027-03-05T15:30:00Z)' },
      { path: 'rows', message: 'must have at most 1 item' },
      { path: 'count', message: 'must be a number' },
      { path: 'custom', message: 'says its own message' },
      { path: '(body)', message: 'has an unknown field: extra' },
    ]);
    expect(() => parseOrThrow(schema, { ...input, name: undefined }, 'partnership')).toThrow(/name: is required/);
  });
});

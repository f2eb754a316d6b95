import { readFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isDatabaseUnavailable } from '../../lib/db/client.js';
import { ValidationError } from '../../lib/errors.js';
import { parseOrThrow } from '../../lib/validation.js';

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

describe('isDatabaseUnavailable', () => {
  it('counts a refused connection and a missing PostgreSQL socket, not a missing file', async () => {
    const connectTo = (path: string) => new Promise<unknown>((resolve) => net.connect(path).once('error', resolve));
    expect(isDatabaseUnavailable(await connectTo(path.join(os.tmpdir(), 'no-such-dir', '.s.PGSQL.5432')))).toBe(true);
    expect(isDatabaseUnavailable(await readFile(path.join(os.tmpdir(), 'no-such-file')).catch((e) => e))).toBe(false);
  });
});

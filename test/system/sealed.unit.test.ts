import { describe, expect, it } from 'vitest';
import { createSealer, resealed, SealedWithUnknownKeyError } from '../../lib/auth/sealed.js';

const NOW = 'an AUTH_SECRET of at least thirty-two characters, now';
const BEFORE = 'an AUTH_SECRET of at least thirty-two characters, before';
const SECRET = 'whsec_MfKQ9r0GdFkG3H+qVcJ5Zt0e1W2bX4yL8aPq7sN6uOw=';

describe('stored secrets, sealed (lib/auth/sealed.ts)', () => {
  it('seals a secret so that the stored value does not give it away, and opens it again', () => {
    const sealer = createSealer(NOW);
    const stored = sealer.seal(SECRET, 'webhook.secret');
    expect(stored).toMatch(/^sealed:v1:[\w-]{8}:[\w-]{16}:[\w-]+$/);
    expect(stored).not.toContain(SECRET.slice(6, 20));
    expect(sealer.open(stored, 'webhook.secret')).toBe(SECRET);
    // A fresh nonce each time: two rows with the same secret do not show it.
    expect(sealer.seal(SECRET, 'webhook.secret')).not.toBe(stored);
    // Unicode, a NUL and CR/LF come back as they went in.
    const odd = 'clé\u0000\r\nsecret';
    expect(sealer.open(sealer.seal(odd, 'x'), 'x')).toBe(odd);
  });

  it('refuses a value sealed for another purpose, or changed in the database', () => {
    const sealer = createSealer(NOW);
    const stored = sealer.seal(SECRET, 'webhook.secret');
    expect(() => sealer.open(stored, 'identity_provider.client_secret')).toThrow();
    const last = stored.at(-2) === 'A' ? 'B' : 'A';
    expect(() => sealer.open(`${stored.slice(0, -2)}${last}${stored.at(-1)}`, 'webhook.secret')).toThrow();
  });

  it('reads a value stored before sealing as it stands, and calls it stale', () => {
    const sealer = createSealer(NOW);
    expect(sealer.open(SECRET, 'webhook.secret')).toBe(SECRET);
    expect(sealer.stale(SECRET)).toBe(true);
    expect(sealer.stale(sealer.seal(SECRET, 'webhook.secret'))).toBe(false);
  });

  it('after a rotation, opens what the previous AUTH_SECRET sealed and seals it anew; without it, says what to set', () => {
    const old = createSealer(BEFORE).seal(SECRET, 'webhook.secret');
    const rotated = createSealer(NOW, BEFORE);
    expect(rotated.open(old, 'webhook.secret')).toBe(SECRET);
    expect(rotated.stale(old)).toBe(true);
    const again = resealed(rotated, 'webhook.secret', { secret: old, previousSecret: null });
    expect(again?.previousSecret).toBeNull();
    expect(createSealer(NOW).open(again?.secret ?? '', 'webhook.secret')).toBe(SECRET);
    expect(resealed(rotated, 'webhook.secret', { secret: again?.secret ?? '' })).toBeNull();

    const forgotten = () => createSealer(NOW).open(old, 'webhook.secret');
    expect(forgotten).toThrow(SealedWithUnknownKeyError);
    expect(forgotten).toThrow(/AUTH_SECRET_PREVIOUS/);
  });
});

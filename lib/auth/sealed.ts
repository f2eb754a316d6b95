import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Secrets Tandem must read back to use (a webhook's signing secret, a Slack or Teams webhook's
 * address, an organization's OpenID client secret) are stored sealed: AES-256-GCM under a key derived from AUTH_SECRET (HKDF-SHA256), so that
 * a copy of the database (a backup, a dump handed to support, a replica's disk) does not give them
 * away. The purpose (e.g. `webhook.secret`) is bound as associated data: a value sealed for one
 * column does not open as another's.
 *
 * Stored as `sealed:v1:<key id>:<iv>:<ciphertext and tag>`, base64url. The key id (the first bytes
 * of the key's SHA-256, which says nothing of the key) tells which AUTH_SECRET sealed it, so that
 * after a rotation the values sealed with AUTH_SECRET_PREVIOUS still open and are sealed again
 * (`resealStoredSecrets`). A value without the prefix was stored before sealing existed: it is read
 * as it stands, and sealed at the next start.
 */
export interface Sealer {
  seal(plain: string, purpose: string): string;
  /** The secret a stored value holds; throws `SealedWithUnknownKeyError` when no key of this installation sealed it. */
  open(stored: string, purpose: string): string;
  /** Whether a stored value should be sealed again: stored in clear, or sealed with the previous key. */
  stale(stored: string): boolean;
}

const PREFIX = 'sealed:v1:';

/** A value sealed with an AUTH_SECRET this process was not given. */
export class SealedWithUnknownKeyError extends Error {
  constructor(purpose: string, keyId: string) {
    super(
      `A stored ${purpose} was sealed with another AUTH_SECRET (key ${keyId}): start Tandem with that secret as AUTH_SECRET, or as AUTH_SECRET_PREVIOUS beside the new one`,
    );
    this.name = 'SealedWithUnknownKeyError';
  }
}

interface Key {
  id: string;
  bytes: Buffer;
}

function keyFrom(secret: string): Key {
  const bytes = Buffer.from(hkdfSync('sha256', secret, 'tandem', 'stored secrets v1', 32));
  return { id: createHash('sha256').update(bytes).digest('base64url').slice(0, 8), bytes };
}

export function createSealer(secret: string, previous?: string): Sealer {
  const current = keyFrom(secret);
  const keys = new Map([[current.id, current]]);
  if (previous) {
    const old = keyFrom(previous);
    keys.set(old.id, old);
  }
  return {
    seal(plain, purpose) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current.bytes, iv).setAAD(Buffer.from(purpose));
      const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `${PREFIX}${current.id}:${iv.toString('base64url')}:${sealed.toString('base64url')}`;
    },
    open(stored, purpose) {
      if (!stored.startsWith(PREFIX)) return stored;
      const [keyId = '', iv = '', sealed = ''] = stored.slice(PREFIX.length).split(':');
      const key = keys.get(keyId);
      if (!key) throw new SealedWithUnknownKeyError(purpose, keyId);
      const bytes = Buffer.from(sealed, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', key.bytes, Buffer.from(iv, 'base64url'))
        .setAAD(Buffer.from(purpose))
        .setAuthTag(bytes.subarray(bytes.length - 16));
      return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).toString('utf8');
    },
    stale: (stored) => !stored.startsWith(`${PREFIX}${current.id}:`),
  };
}

/**
 * The values sealed anew with the current key, or null when none is stale (stored in clear, or with
 * the previous key): what a start does to rows written before sealing or before a rotation.
 */
export function resealed<T extends Record<string, string | null>>(sealer: Sealer, purpose: string, values: T): T | null {
  if (!Object.values(values).some((v) => v !== null && sealer.stale(v))) return null;
  const out: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(values)) out[k] = v !== null && sealer.stale(v) ? sealer.seal(sealer.open(v, purpose), purpose) : v;
  return out as T;
}

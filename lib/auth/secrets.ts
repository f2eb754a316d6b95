import { createHash, randomBytes } from 'node:crypto';

/** A new random secret with a readable prefix, e.g. `tdm_k1Q...`; 32 bytes of entropy. */
export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/** What is stored instead of a secret. Secrets are random, so a fast hash is enough to keep them unreadable. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

import type { Request } from 'express';
import { type KeyPrincipal, keyPrincipal } from '../../core/people/principal.js';
import { findApiKey } from '../../lib/auth/api-keys.js';
import type { Db } from '../../lib/db/client.js';
import { UnauthorizedError } from '../../lib/errors.js';

/** The caller of an API request, from `Authorization: Bearer <key>`; 401 without a live key. */
export async function authenticate(db: Db, req: Request): Promise<KeyPrincipal> {
  const header = req.get('authorization');
  if (!header) throw new UnauthorizedError('Send an API key as "Authorization: Bearer <key>"');
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) throw new UnauthorizedError('The Authorization header must be "Bearer <key>"');
  const key = await findApiKey(db, match[1]);
  if (!key) throw new UnauthorizedError('The API key is unknown or revoked');
  return keyPrincipal(key);
}

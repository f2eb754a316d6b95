import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LRUCache } from 'lru-cache';
import { type ApiKey, ApiRole } from '../../generated/prisma/client.js';
import type { Db } from '../db/client.js';
import { ValidationError } from '../errors.js';
import { hashSecret, newSecret } from './secrets.js';

export { ApiRole };

export interface NewApiKey {
  name: string;
  role: ApiRole;
  cohortId?: string | null;
  organizationId?: string | null;
}

/**
 * Creates a key and returns its secret, which is shown this once. A key's scope must fit its role:
 * a coordinator has a cohort, district and partner staff an organization of that kind, an admin neither.
 */
export async function createApiKey(db: Db, input: NewApiKey): Promise<{ key: ApiKey; secret: string }> {
  const cohortId = input.cohortId ?? null;
  const organizationId = input.organizationId ?? null;
  const issues: { path: string; message: string }[] = [];
  const needs = { admin: [], coordinator: ['cohortId'], district: ['organizationId'], partner: ['organizationId'] }[input.role];
  for (const [field, value] of [
    ['cohortId', cohortId],
    ['organizationId', organizationId],
  ] as const) {
    if (needs.includes(field as never) && !value) issues.push({ path: field, message: `is required for the ${input.role} role` });
    if (!needs.includes(field as never) && value) issues.push({ path: field, message: `does not apply to the ${input.role} role` });
  }
  if (cohortId && !(await db.cohort.findUnique({ where: { id: cohortId }, select: { id: true } }))) {
    issues.push({ path: 'cohortId', message: 'no such cohort' });
  }
  if (organizationId) {
    const org = await db.organization.findUnique({ where: { id: organizationId }, select: { kind: true } });
    if (!org) issues.push({ path: 'organizationId', message: 'no such organization' });
    else if (org.kind !== input.role) issues.push({ path: 'organizationId', message: `is a ${org.kind}, not a ${input.role}` });
  }
  if (issues.length)
    throw new ValidationError(`The API key is invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  const secret = newSecret('tdm');
  const key = await db.apiKey.create({
    data: { name: input.name, role: input.role, cohortId, organizationId, secretHash: hashSecret(secret), prefix: secret.slice(0, 8) },
  });
  return { key, secret };
}

/**
 * How long a live key is remembered. Every API request begins with this lookup (a quarter of the
 * statements of a read); a key revoked through this process is forgotten at once (forgetApiKey), one
 * revoked through another replica keeps working there until its entry expires.
 */
export const API_KEY_CACHE_MS = 5_000;
/** Live keys by the hash of their secret; unknown and revoked secrets are never kept. */
const liveKeys = new LRUCache<string, ApiKey>({ max: 10_000, ttl: API_KEY_CACHE_MS });

/** The live key a secret belongs to, or null. */
export async function findApiKey(db: Db, secret: string): Promise<ApiKey | null> {
  const hash = hashSecret(secret);
  const remembered = liveKeys.get(hash);
  if (remembered) return remembered;
  const key = await db.apiKey.findUnique({ where: { secretHash: hash } });
  if (!key || key.revokedAt) return null;
  liveKeys.set(hash, key);
  return key;
}

/** Stops remembering a key (it was just revoked): its next request is looked up again. */
export function forgetApiKey(id: string): void {
  for (const [hash, key] of liveKeys.entries()) if (key.id === id) liveKeys.delete(hash);
}

/**
 * The admin key of a local installation (`npm start`), kept in a file of the data directory so that
 * it stays the same across restarts; a new one is made when the file or the key is gone.
 */
export async function localAdminKey(db: Db, file: string): Promise<{ secret: string; created: boolean }> {
  const saved = await readFile(file, 'utf8').then(
    (s) => s.trim(),
    () => '',
  );
  if (saved && (await findApiKey(db, saved))?.role === 'admin') return { secret: saved, created: false };
  const { secret } = await createApiKey(db, { name: 'local admin (npm start)', role: 'admin' });
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return { secret, created: true };
}

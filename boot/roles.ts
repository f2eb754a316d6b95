import type { Config } from '../lib/config.js';

/**
 * The production roles (`node dist/scripts/tandem.js <role>`) and what each must be given: nothing is
 * embedded in production. The deployment tests check docker-compose.yml against this.
 */
export const ROLES = {
  api: ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'SMTP_URL', 'AUTH_SECRET'],
  worker: ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'SMTP_URL', 'AUTH_SECRET'],
  migrate: ['DATABASE_URL'],
  'api-key': ['DATABASE_URL'],
  admin: ['DATABASE_URL'],
} as const satisfies Record<string, ReadonlyArray<keyof Config>>;

export type Role = keyof typeof ROLES;

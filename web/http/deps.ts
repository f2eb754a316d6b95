import type { RequestDeps } from '../../core/deps.js';
import type { TandemAuth } from '../../lib/auth/better-auth.js';

/** What the pages need: the same clients as the API, and sign-in. */
export interface WebDeps extends RequestDeps {
  auth: TandemAuth;
  /** How long an unopened link in an email stays good, and how long an opened one acts on its page. */
  taskLinks: { linkTtlMs: number; grantTtlMs: number };
  /** Secret for the forms' CSRF tokens (AUTH_SECRET). */
  secret: string;
}

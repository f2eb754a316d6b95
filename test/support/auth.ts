import { deliverSignInLink } from '../../api/people/sign-in-mail.js';
import { taskLinks } from '../../core/people/task-links.js';
import { createAuth, OIDC_PROVIDER_ID, type OidcSettings } from '../../lib/auth/better-auth.js';
import { createSealer } from '../../lib/auth/sealed.js';
import type { Db } from '../../lib/db/client.js';
import { createLogger } from '../../lib/logger.js';
import type { Mailer } from '../../lib/mail/mailer.js';

export const TEST_AUTH_SECRET = 'a-test-secret-that-is-long-enough-for-better-auth';
export const TEST_PUBLIC_URL = 'http://tandem.test';
/** The sealer the services derive from TEST_AUTH_SECRET (lib/auth/sealed.ts). */
export const testSealer = createSealer(TEST_AUTH_SECRET);

/**
 * The real sign-in (Better Auth on the test's database) as the services build it: links in messages
 * carry real tokens, and the sign-in page's links go out through `mailer` when one is given.
 */
/** The links in the test stack's messages, as the worker makes them (core/people/task-links.ts). */
export const testTaskLinks = (db: Db, publicUrl = TEST_PUBLIC_URL) =>
  taskLinks(db, { publicUrl, linkTtlMs: 24 * 3_600_000, grantTtlMs: 3_600_000 });

export function testAuth(db: Db, opts: { publicUrl?: string; mailer?: Mailer; oidc?: OidcSettings | undefined } = {}) {
  const publicUrl = opts.publicUrl ?? TEST_PUBLIC_URL;
  const mailer = opts.mailer;
  return createAuth({
    db,
    publicUrl,
    secret: TEST_AUTH_SECRET,
    signInLinkTtlSeconds: 24 * 3600,
    sessionTtlSeconds: 7 * 24 * 3600,
    providers: opts.oidc ? [{ ...opts.oidc, providerId: OIDC_PROVIDER_ID }] : [],
    deliverSignInLink: mailer
      ? deliverSignInLink({
          db,
          mailer,
          logger: createLogger('silent', 'test'),
          publicUrl,
          mailGiveUpAfterMs: 86_400_000,
          signInLinkTtlSeconds: 24 * 3600,
        })
      : async () => {
          throw new Error('this test stack sends no sign-in mail');
        },
  });
}

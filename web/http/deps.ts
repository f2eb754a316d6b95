import type { Client } from '@temporalio/client';
import type { TandemAuth } from '../../lib/auth/better-auth.js';
import type { Sealer } from '../../lib/auth/sealed.js';
import type { Db } from '../../lib/db/client.js';
import type { Logger } from '../../lib/logger.js';
import type { Mailer } from '../../lib/mail/mailer.js';

/** What the pages need: the same clients as the API, and sign-in. */
export interface WebDeps {
  db: Db;
  temporal: Client;
  logger: Logger;
  /** The task queue workflows started from a page run on (an inquiry cycle). */
  taskQueue: string;
  auth: TandemAuth;
  /** Mail a page sends at once (an address to confirm), through the outbox. */
  mailer: Mailer;
  /** MAIL_GIVE_UP_AFTER, in ms. */
  mailGiveUpAfterMs: number;
  /** MAIL_REPLY_DOMAIN: mail sent at once also gets a bounce address of its own (core/mail/reply-to.ts). */
  replyDomain?: string | undefined;
  /** How long an unopened link in an email stays good, and how long an opened one acts on its page. */
  taskLinks: { linkTtlMs: number; grantTtlMs: number };
  /** PUBLIC_URL: links, and whether cookies are Secure. */
  publicUrl: string;
  /** Secret for the forms' CSRF tokens (AUTH_SECRET). */
  secret: string;
  /** Seals and opens the secrets Tandem stores to use again (AUTH_SECRET, lib/auth/sealed.ts). */
  sealer: Sealer;
  /** Set when mail is captured locally (the embedded default): the /mail page shows it. */
  mailCaptureDir?: string | undefined;
}

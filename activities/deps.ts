import type { TaskLinks } from '../core/mail/outbox.js';
import type { Sealer } from '../lib/auth/sealed.js';
import type { Db } from '../lib/db/client.js';
import type { Mailer } from '../lib/mail/mailer.js';
import type { Post } from '../lib/webhooks/post.js';

export interface ActivityDeps {
  db: Db;
  mailer: Mailer;
  publicUrl: string;
  /** MAIL_GIVE_UP_AFTER: how long a message is retried before it is marked failed. */
  mailGiveUpAfterMs: number;
  /** The link in a message to one person: the page, acting on it as them for a while (core/people/task-links.ts). */
  taskLinks: TaskLinks;
  /** MAIL_REPLY_DOMAIN: copies that ask for something get a reply address of their own. */
  replyDomain?: string | undefined;
  /** How webhooks are sent (WEBHOOK_TIMEOUT, WEBHOOK_ALLOW_PRIVATE_ADDRESSES, WEBHOOK_CA_PATH); the defaults without. */
  postWebhook?: Post | undefined;
  /** Opens the stored webhook signing secrets (AUTH_SECRET, lib/auth/sealed.ts). */
  sealer: Sealer;
}

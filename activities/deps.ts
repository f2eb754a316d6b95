import type { TaskLinks } from '../core/mail/outbox.js';
import type { MailDeps } from '../core/mail/send.js';
import type { Sealer } from '../lib/auth/sealed.js';
import type { Post } from '../lib/webhooks/post.js';

/** What the activities work with: the record, and mail as the requests send it (MAIL_GIVE_UP_AFTER, MAIL_REPLY_DOMAIN…), and more. */
export interface ActivityDeps extends MailDeps {
  /** The link in a message to one person: the page, acting on it as them for a while (core/people/task-links.ts). */
  taskLinks: TaskLinks;
  /** How webhooks are sent (WEBHOOK_TIMEOUT, WEBHOOK_ALLOW_PRIVATE_ADDRESSES, WEBHOOK_CA_PATH); the defaults without. */
  postWebhook?: Post | undefined;
  /** Opens the stored webhook signing secrets (AUTH_SECRET, lib/auth/sealed.ts). */
  sealer: Sealer;
}

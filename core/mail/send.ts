import type { Db } from '../../lib/db/client.js';
import type { Mailer } from '../../lib/mail/mailer.js';
import type { MailContext } from './outbox.js';

/** What a request needs to send mail at once: the record, the mail server, the site's address. */
export interface MailDeps {
  db: Db;
  mailer: Mailer;
  publicUrl: string;
  /** MAIL_GIVE_UP_AFTER, in ms. */
  mailGiveUpAfterMs: number;
  /** MAIL_REPLY_DOMAIN: mail sent at once also gets a bounce address of its own (core/mail/reply-to.ts). */
  replyDomain?: string | undefined;
}

/**
 * The outbox as a request uses it (a sign-in link, an address to confirm, a staff role granted):
 * sent at once, outside any activity, with plain links unless `links` makes them otherwise. Such
 * messages are urgent (never held for a digest), so no mailbox workflow is woken.
 */
export function requestMail(deps: MailDeps, links?: MailContext['taskLinks']): MailContext {
  return {
    db: deps.db,
    mailer: deps.mailer,
    publicUrl: deps.publicUrl,
    giveUpAfterMs: deps.mailGiveUpAfterMs,
    replyDomain: deps.replyDomain,
    heartbeat: () => {},
    wake: async () => {},
    taskLinks: links ?? (async (people, target) => new Map(people.map((p) => [p.id, new URL(target, deps.publicUrl).toString()]))),
  };
}

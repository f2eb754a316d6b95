import { requestMail } from '../../core/mail/send.js';
import { signIn } from '../../core/mail/templates.js';
import { tellPerson } from '../../core/people/tell.js';
import { signInUrl } from '../../lib/auth/better-auth.js';
import type { Db } from '../../lib/db/client.js';
import type { Logger } from '../../lib/logger.js';
import type { Mailer } from '../../lib/mail/mailer.js';

export interface SignInMailDeps {
  db: Db;
  mailer: Mailer;
  logger: Logger;
  publicUrl: string;
  mailGiveUpAfterMs: number;
  replyDomain?: string | undefined;
  signInLinkTtlSeconds: number;
}

/**
 * The mail with a sign-in link that someone asked for at the sign-in page, through the outbox like
 * every message (recorded, retried, listed). Only people Tandem knows get one. It is sent in the
 * background, so that the page answers alike, and as fast, whether the address is known or not.
 */
export function deliverSignInLink(deps: SignInMailDeps) {
  return async (email: string, token: string, next: string): Promise<void> => {
    void send(deps, email, token, next).catch((err) => deps.logger.warn({ err }, 'could not send a sign-in link'));
  };
}

async function send(deps: SignInMailDeps, email: string, token: string, next: string) {
  const person = await deps.db.person.findUnique({ where: { email } });
  if (!person) return;
  const now = Date.now();
  await tellPerson(
    requestMail(deps, async (people, target) => new Map(people.map((p) => [p.id, signInUrl(deps.publicUrl, target, token, p.id)]))),
    person,
    {
      messageKey: `sign-in:${person.id}:${now}`,
      template: 'sign-in',
      target: next,
      render: (timeZone, link) => signIn({ link, timeZone, expiresAt: now + deps.signInLinkTtlSeconds * 1000 }),
    },
  );
}

import express, { type Request, Router } from 'express';
import { z } from 'zod';
import { NotFoundError } from '../../lib/errors.js';
import type { Outcome, PageKit } from '../http/pages.js';

/**
 * The link in every optional message (a reminder): a page with one button, since mail scanners follow
 * links, and the button's POST, which is also the one-click unsubscribe of mail clients (RFC 8058).
 * The token in the address is the capability: it stops one partnership's reminders to one person,
 * nothing else, so its POST needs no session and no form token.
 */
export function unsubscribeRoutes(kit: PageKit): Router {
  const router = Router();
  const token = z.uuid();
  const membership = async (req: Request) => {
    const parsed = token.safeParse(req.params.token);
    const m = parsed.success
      ? await kit.deps.db.partnershipMember.findUnique({
          where: { unsubscribeToken: parsed.data },
          include: { person: true, partnership: true },
        })
      : null;
    if (!m) throw new NotFoundError('This unsubscribe link is not valid (any more)');
    return m;
  };
  const stoppedPage = (email: string, partnership: string): Outcome => ({
    title: 'Reminders stopped',
    body: (
      <section class="narrow">
        <h1>Reminders stopped</h1>
        <p>
          {email} no longer receives reminders from <strong>{partnership}</strong>. Invitations, reflection prompts, overdue notices and
          escalations still come: the partnership depends on them.
        </p>
      </section>
    ),
  });
  router.get(
    '/unsubscribe/:token',
    kit.open(async ({ req }) => {
      const m = await membership(req);
      if (m.notifications === 'essential') return stoppedPage(m.person.email, m.partnership.name);
      return {
        title: `Reminders from ${m.partnership.name}`,
        body: (
          <section class="narrow">
            <h1>Reminders from {m.partnership.name}</h1>
            <p>
              Stop sending reminders from <strong>{m.partnership.name}</strong> to {m.person.email}?
            </p>
            <p>Invitations, reflection prompts, overdue notices and escalations still come: the partnership depends on them.</p>
            <form method="post" action={req.originalUrl}>
              <button type="submit">Stop reminders</button>
            </form>
          </section>
        ),
      };
    }),
  );
  router.post(
    '/unsubscribe/:token',
    express.urlencoded({ extended: false, limit: '1kb' }),
    kit.open(async ({ req }) => {
      const m = await membership(req);
      await kit.deps.db.partnershipMember.update({ where: { unsubscribeToken: m.unsubscribeToken }, data: { notifications: 'essential' } });
      return stoppedPage(m.person.email, m.partnership.name);
    }),
  );
  return router;
}

import { type Notice, notify } from '../mail/notify.js';
import type { MailContext } from '../mail/outbox.js';
import { personZone } from './zone.js';

/**
 * A message to one person about no partnership (a sign-in link, an address change, a new right),
 * sent at once whatever their delivery settings, and written in their zone. `to` is whom it goes
 * to: the person, or the person at an address that is not theirs yet.
 */
export async function tellPerson(
  ctx: MailContext,
  to: Notice['recipients'][number]['person'],
  m: Pick<Notice, 'messageKey' | 'template' | 'target' | 'render'>,
) {
  return notify(ctx, {
    ...m,
    about: { id: null, timeZone: await personZone(ctx.db, to.id) },
    dueAt: Date.now(),
    recipients: [{ person: to }],
    urgent: true,
  });
}

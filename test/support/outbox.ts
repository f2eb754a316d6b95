import type { Prisma } from '../../generated/prisma/client.js';
import type { Db } from '../../lib/db/client.js';

/** Templates the lifecycle tests leave to test/mail/notifications.workflow.test.ts. */
export const CALENDAR_AND_LIFECYCLE = [
  'review-invitation',
  'review-cancelled',
  'partnership-paused',
  'partnership-resumed',
  'partnership-ended',
];

export interface LogicalMessage {
  messageKey: string;
  template: string;
  subject: string;
  /** Every copy's recipient, sorted. */
  recipients: string[];
  dueAt: number | undefined;
  statuses: string[];
  attempts: number[];
}

/** The outbox rows, one per copy, gathered back into logical messages (in order of their first copy). */
export async function outboxMessages(db: Db, where: Prisma.EmailOutboxWhereInput): Promise<LogicalMessage[]> {
  const rows = await db.emailOutbox.findMany({ where, orderBy: [{ createdAt: 'asc' }, { recipient: 'asc' }] });
  const byKey = new Map<string, LogicalMessage>();
  for (const r of rows) {
    let m = byKey.get(r.messageKey);
    if (!m) {
      m = {
        messageKey: r.messageKey,
        template: r.template,
        subject: r.subject,
        recipients: [],
        dueAt: r.dueAt?.getTime(),
        statuses: [],
        attempts: [],
      };
      byKey.set(r.messageKey, m);
    }
    m.recipients.push(r.recipient);
    m.statuses.push(r.status);
    m.attempts.push(r.attempts);
  }
  for (const m of byKey.values()) m.recipients.sort();
  return [...byKey.values()];
}

import type { Db } from '../../lib/db/client.js';
import { planReminders } from '../../lib/durations.js';

/**
 * What comes next in a partnership, read from PostgreSQL, where the workflow's activities record it
 * as they act (the review rows they plan, the reminder copies they send): the next review, its next
 * reminder and the reminders already sent for it. Reading it costs one query beside the reviews the
 * caller loaded, not a workflow query, which replays a workflow the worker no longer holds;
 * `GET /partnerships/:id/live` is that rarer look.
 */
export interface NextSteps {
  review: { id: string; sequence: number; scheduledAt: string } | null;
  /** The next reminder of that review still ahead, in its partnership's zone; null when none is left. */
  reminderAt: string | null;
  remindersSent: { index: number; dueAt: string | null; sentAt: string | null }[];
}

export async function nextSteps(
  db: Db,
  p: {
    id: string;
    status: string;
    reminderOffsets: string[];
    timeZone: string;
    /** The partnership's reviews, as the caller has already loaded them. */
    reviews: { id: string; sequence: number; scheduledAt: Date; status: string }[];
  },
  now = Date.now(),
): Promise<NextSteps> {
  const none: NextSteps = { review: null, reminderAt: null, remindersSent: [] };
  if (p.status !== 'active' && p.status !== 'paused' && p.status !== 'planning') return none;
  // The earliest still scheduled, as the workflow plans them.
  const review = p.reviews
    .filter((r) => r.status === 'scheduled')
    .reduce<(typeof p.reviews)[number] | undefined>((a, r) => (a && a.scheduledAt <= r.scheduledAt ? a : r), undefined);
  if (!review) return none;
  // One row per reminder: its copies share the reminder's message key.
  const sent = await db.$queryRaw<{ message_key: string; due_at: Date | null; sent_at: Date | null }[]>`
    SELECT message_key, min(due_at) AS due_at, min(sent_at) AS sent_at FROM email_outbox
    WHERE partnership_id = ${p.id}::uuid AND message_key LIKE ${`review:${review.id}:reminder:%`}
    GROUP BY message_key`;
  const remindersSent = sent
    .map((r) => ({
      index: Number(r.message_key.split(':').at(-1)),
      dueAt: r.due_at?.toISOString() ?? null,
      sentAt: r.sent_at?.toISOString() ?? null,
    }))
    .sort((a, b) => a.index - b.index);
  const ahead =
    p.status === 'active'
      ? planReminders(review.scheduledAt.getTime(), p.reminderOffsets, p.timeZone).find(
          (r) => r.at > now && !remindersSent.some((s) => s.index === r.index),
        )
      : undefined;
  return {
    review: { id: review.id, sequence: review.sequence, scheduledAt: review.scheduledAt.toISOString() },
    reminderAt: ahead ? new Date(ahead.at).toISOString() : null,
    remindersSent,
  };
}

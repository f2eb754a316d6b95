import type { Db } from '../../lib/db/client.js';
import { planReminders } from '../../lib/durations.js';

/** What is still open in a partnership, counted in the database, which is where it is recorded. */
export interface OpenItems {
  commitments: { open: number; overdue: number };
  evidenceRequests: { open: number; overdue: number };
  /** Members who were prompted to reflect and have not answered, in windows still open. */
  reflectionsAwaited: number;
}

/** A reminder of a scheduled review, as its copies in the outbox record it (they share its message key). */
export interface SentReminder {
  reviewId: string;
  index: number;
  dueAt: Date | null;
  sentAt: Date | null;
}

export interface Progress {
  open: OpenItems;
  sent: SentReminder[];
}

/**
 * What is open in each of the partnerships and the reminders sent for their scheduled reviews, in one
 * statement, in the order of `ids` (a partnership that does not exist has nothing open): the reads of
 * a turn ask for theirs together (recent-reads.ts), as each statement costs the API a socket write
 * that, on two cores, weighs as much as the rest of the request (BENCHMARKS.md).
 */
export async function partnershipsProgress(db: Db, ids: readonly string[]): Promise<Progress[]> {
  const rows = await db.$queryRaw<
    {
      open_c: bigint;
      overdue_c: bigint;
      open_e: bigint;
      overdue_e: bigint;
      awaited: bigint;
      sent: { review_id: string; message_key: string; due_at: string | null; sent_at: string | null }[];
    }[]
  >`SELECT
      (SELECT count(*) FROM commitment WHERE partnership_id = p.id AND status = 'open') AS open_c,
      (SELECT count(*) FROM commitment WHERE partnership_id = p.id AND status = 'overdue') AS overdue_c,
      (SELECT count(*) FROM evidence_request WHERE partnership_id = p.id AND status = 'open') AS open_e,
      (SELECT count(*) FROM evidence_request WHERE partnership_id = p.id AND status = 'overdue') AS overdue_e,
      (SELECT count(*) FROM reflection r JOIN review v ON v.id = r.review_id
        WHERE v.partnership_id = p.id AND r.submitted_at IS NULL AND v.reflections_closed_at IS NULL) AS awaited,
      (SELECT coalesce(json_agg(json_build_object('review_id', s.review_id, 'message_key', s.message_key, 'due_at', s.due_at, 'sent_at', s.sent_at)), '[]')
        FROM (SELECT v.id AS review_id, o.message_key, min(o.due_at) AS due_at, min(o.sent_at) AS sent_at
              FROM review v JOIN email_outbox o
                ON o.partnership_id = v.partnership_id AND o.message_key LIKE 'review:' || v.id || ':reminder:%'
              WHERE v.partnership_id = p.id AND v.status = 'scheduled'
              GROUP BY v.id, o.message_key) s) AS sent
    FROM unnest(${[...ids]}::uuid[]) WITH ORDINALITY AS p(id, n)
    ORDER BY p.n`;
  if (rows.length !== ids.length) throw new Error(`reading the progress of ${ids.length} partnerships returned ${rows.length} rows`);
  return rows.map((row) => ({
    open: {
      commitments: { open: Number(row.open_c), overdue: Number(row.overdue_c) },
      evidenceRequests: { open: Number(row.open_e), overdue: Number(row.overdue_e) },
      reflectionsAwaited: Number(row.awaited),
    },
    sent: row.sent.map((r) => ({
      reviewId: r.review_id,
      index: Number(r.message_key.split(':').at(-1)),
      dueAt: r.due_at ? new Date(r.due_at) : null,
      sentAt: r.sent_at ? new Date(r.sent_at) : null,
    })),
  }));
}

/**
 * What comes next in a partnership, from what PostgreSQL holds, where the workflow's activities record
 * it as they act (the review rows they plan, the reminder copies they send): the next review, its next
 * reminder and the reminders already sent for it. Not a workflow query, which replays a workflow the
 * worker no longer holds; `GET /partnerships/:id/live` is that rarer look.
 */
export interface NextSteps {
  review: { id: string; sequence: number; scheduledAt: string } | null;
  /** The next reminder of that review still ahead, in its partnership's zone; null when none is left. */
  reminderAt: string | null;
  remindersSent: { index: number; dueAt: string | null; sentAt: string | null }[];
}

export function nextSteps(
  p: {
    status: string;
    reminderOffsets: string[];
    timeZone: string;
    /** The partnership's reviews, as the caller has already loaded them. */
    reviews: { id: string; sequence: number; scheduledAt: Date; status: string }[];
  },
  sent: SentReminder[],
  now = Date.now(),
): NextSteps {
  const none: NextSteps = { review: null, reminderAt: null, remindersSent: [] };
  if (p.status !== 'active' && p.status !== 'paused' && p.status !== 'planning') return none;
  // The earliest still scheduled, as the workflow plans them.
  const review = p.reviews
    .filter((r) => r.status === 'scheduled')
    .reduce<(typeof p.reviews)[number] | undefined>((a, r) => (a && a.scheduledAt <= r.scheduledAt ? a : r), undefined);
  if (!review) return none;
  const remindersSent = sent
    .filter((r) => r.reviewId === review.id)
    .map((r) => ({ index: r.index, dueAt: r.dueAt?.toISOString() ?? null, sentAt: r.sentAt?.toISOString() ?? null }))
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

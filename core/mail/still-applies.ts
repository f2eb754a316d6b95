import type { Db } from '../../lib/db/client.js';

/**
 * Whether a message held for later (quiet hours, a digest) still applies when its delivery comes: a
 * reminder for a review that is over, a prompt for a reflection window that closed or a reflection
 * already written, an invitation a newer one replaced, a deadline's notice once it is closed or moved,
 * no longer do. Read from the message's business key (`review:<id>:reminder:1`, …).
 */
export async function stillApplies(db: Db, row: { messageKey: string; personId: string | null }, now: Date): Promise<boolean> {
  const [kind, id, part, ...rest] = row.messageKey.split(':');
  if (!id) return true;
  if (kind === 'review' && (part === 'reminder' || part === 'invitation')) {
    const review = await db.review.findUnique({ where: { id }, select: { status: true, scheduledAt: true, calendarSequence: true } });
    if (review?.status !== 'scheduled' || review.scheduledAt <= now) return false;
    return part === 'reminder' || review.calendarSequence === Number(rest[0]);
  }
  if (kind === 'reflection' && part) {
    const reflection = await db.reflection.findUnique({
      where: { reviewId_personId: { reviewId: id, personId: part } },
      select: { submittedAt: true, review: { select: { reflectionsClosedAt: true } } },
    });
    return Boolean(reflection && !reflection.submittedAt && !reflection.review.reflectionsClosedAt);
  }
  if ((kind === 'commitment' || kind === 'evidence') && part === 'due') {
    const select = { status: true, dueAt: true } as const;
    const deadline =
      kind === 'commitment'
        ? await db.commitment.findUnique({ where: { id }, select })
        : await db.evidenceRequest.findUnique({ where: { id }, select });
    return Boolean(
      deadline && (deadline.status === 'open' || deadline.status === 'overdue') && deadline.dueAt.getTime() === Number(rest[0]),
    );
  }
  return true;
}

/**
 * What a message is about, for gathering: a reflection prompt and its reminders are about one
 * reflection, a review's reminders about one review, a deadline's notices about one deadline. Of
 * several held about one thing, only the latest is sent.
 */
export function aboutOf(messageKey: string): string {
  const [kind, id, part] = messageKey.split(':');
  if (kind === 'reflection') return `reflection:${id}:${part}`;
  if (kind === 'review' && (part === 'reminder' || part === 'invitation')) return `review:${id}:${part}`;
  if (kind === 'commitment' || kind === 'evidence') return `${kind}:${id}`;
  return messageKey;
}

import type { Client } from '@temporalio/client';
import type { z } from 'zod';
import type { Db } from '../../lib/db/client.js';
import { ConflictError, NotFoundError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { parseOrThrow } from '../../lib/validation.js';
import { reflectionWorkflowId } from '../../workflows/ids.js';
import { reflectionSubmittedSignal } from '../../workflows/reflections/messages.js';
import { recordEvent } from '../events.js';
import { actorOf, type Principal } from '../people/principal.js';
import { assertOwnReflection, partnershipScope } from '../people/rights.js';
import { CHECK_IN_DIMENSIONS, type ReflectionAnswers, reflectionAnswers } from './schemas.js';

export type { ReflectionAnswers };

type Deps = { db: Db; temporal: Client; logger: Logger };

/** A check-in as the reflection's columns: a dimension left out is cleared, so that an edit can take a rating back. */
const checkInColumns = (c: NonNullable<z.output<typeof reflectionAnswers>['checkIn']>) => ({
  ...Object.fromEntries(CHECK_IN_DIMENSIONS.map((d) => [d.column, c[d.key] ?? null])),
  checkInComment: c.comment ?? null,
});

/** The principal's own reflection on a review (asked of them when it was held), with the review. */
export async function ownReflection(deps: Pick<Deps, 'db'>, p: Principal, reviewId: string) {
  const review = await deps.db.review.findFirst({
    where: { id: reviewId, partnership: partnershipScope(p) },
    include: { partnership: true },
  });
  if (!review) throw new NotFoundError(`Review ${reviewId} does not exist`);
  const reflection =
    p.kind === 'person' ? await deps.db.reflection.findUnique({ where: { reviewId_personId: { reviewId, personId: p.id } } }) : null;
  return { review, reflection, open: review.status === 'held' && !review.reflectionsClosedAt };
}

/**
 * Writes the principal's own reflection on a review while its window is open: the first time it is
 * submitted (and the review's reflection workflow stops reminding them), later an edit. The database
 * write is the record: if the signal cannot be delivered, reminders still skip whoever has answered.
 */
export async function saveReflection(deps: Deps, p: Principal, reviewId: string, input: ReflectionAnswers) {
  const answers = parseOrThrow(reflectionAnswers, input, 'reflection');
  const { review, reflection } = await ownReflection(deps, p, reviewId);
  if (!reflection) throw new NotFoundError(`No reflection was asked of you for review ${reviewId}`);
  assertOwnReflection(p, reflection);
  const now = new Date();
  const first = !reflection.submittedAt;
  const { checkIn, ...text } = answers;
  const saved = await deps.db.$transaction(async (tx) => {
    // Guarded by the window: a write that races the window's close changes nothing.
    const written = await tx.reflection.updateMany({
      where: { id: reflection.id, review: { reflectionsClosedAt: null } },
      data: { ...text, ...(checkIn && checkInColumns(checkIn)), ...(first ? { submittedAt: now } : { updatedAt: now }) },
    });
    if (written.count === 0) throw new ConflictError('The reflection window for this review has closed');
    await recordEvent(
      tx,
      review.partnershipId,
      `reflection:${reflection.id}:${first ? 'submitted' : `edited:${now.getTime()}`}`,
      first ? 'reflection.submitted' : 'reflection.edited',
      // Whether a check-in came with it, never its figures: the timeline is read by every member.
      { reviewId, reflectionId: reflection.id, checkIn: Boolean(checkIn) },
      actorOf(p),
    );
    return tx.reflection.findUniqueOrThrow({ where: { id: reflection.id } });
  });
  if (first) {
    await deps.temporal.workflow
      .getHandle(reflectionWorkflowId(reviewId))
      .signal(reflectionSubmittedSignal, { personId: reflection.personId })
      .catch((err) => deps.logger.warn({ err, reviewId }, 'could not signal the reflection workflow'));
  }
  return saved;
}

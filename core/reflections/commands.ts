import type { Client } from '@temporalio/client';
import type { Db } from '../../lib/db/client.js';
import { ConflictError, NotFoundError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { parseOrThrow } from '../../lib/validation.js';
import { reflectionWorkflowId } from '../../workflows/ids.js';
import { reflectionSubmittedSignal } from '../../workflows/reflections/messages.js';
import { actorColumns } from '../events.js';
import { actorOf, type Principal } from '../people/principal.js';
import { assertOwnReflection, partnershipScope } from '../people/rights.js';
import { type ReflectionAnswers, reflectionAnswers } from './schemas.js';

export type { ReflectionAnswers };

type Deps = { db: Db; temporal: Client; logger: Logger };

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
  const saved = await deps.db.$transaction(async (tx) => {
    // Guarded by the window: a write that races the window's close changes nothing.
    const written = await tx.reflection.updateMany({
      where: { id: reflection.id, review: { reflectionsClosedAt: null } },
      data: { ...answers, ...(first ? { submittedAt: now } : { updatedAt: now }) },
    });
    if (written.count === 0) throw new ConflictError('The reflection window for this review has closed');
    await tx.partnershipEvent.create({
      data: {
        partnershipId: review.partnershipId,
        idempotencyKey: `reflection:${reflection.id}:${first ? 'submitted' : `edited:${now.getTime()}`}`,
        type: first ? 'reflection.submitted' : 'reflection.edited',
        data: { reviewId, reflectionId: reflection.id },
        ...actorColumns(actorOf(p)),
      },
    });
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

import { ApplicationFailure } from '@temporalio/activity';
import { DateTime } from 'luxon';
import { deadlineCreated } from '../../core/deadlines/events.js';
import { recordEvent } from '../../core/events.js';
import { notify } from '../../core/mail/notify.js';
import { reviewMissed } from '../../core/mail/templates.js';
import { parseOffset } from '../../lib/durations.js';
import type { ReviewOutcome } from '../../workflows/partnerships/messages.js';
import type { ActivityDeps } from '../deps.js';
import { mailContext } from '../mail/activities.js';
import { createInvitations, reviewNotice } from './invitations.js';

/**
 * What became of a review: held (with its pledges), skipped, or missed.
 * (Long as the sum of its activities, each a method under 100 lines: the factory only hands them their clients.)
 */
export function createOutcomeActivities(deps: ActivityDeps) {
  const { db } = deps;
  const { loadReview, sendInvitation } = createInvitations(deps);
  return {
    /**
     * The outcome of a review. A held review may pledge commitments and ask for evidence: they are
     * created here under the ids the API gave them, so a retry creates nothing twice.
     */
    async recordReviewOutcome(
      input: { partnershipId: string; at: number; cancelLater?: boolean; updateId?: string | undefined } & ReviewOutcome,
    ): Promise<void> {
      const { partnershipId, reviewId } = input;
      // A missed review recorded late (the workflow allows it until the next review begins); told by its
      // missed event, which a retry after the commit still finds.
      const late = Boolean(
        await db.partnershipEvent.findFirst({ where: { idempotencyKey: `review:${reviewId}:outcome`, type: 'review.missed' } }),
      );
      await db.$transaction(async (tx) => {
        const recorded = await tx.review.updateMany({
          where: { id: reviewId, status: { in: ['scheduled', 'missed'] } },
          data: {
            ...(input.outcome === 'held'
              ? { status: 'held', notes: input.notes ?? null, decisions: input.decisions ?? [] }
              : { status: 'skipped', skipReason: input.reason, calendarSequence: { increment: 1 } }),
            outcomeAt: new Date(input.at),
            outcomeUpdateId: input.updateId ?? null,
          },
        });
        if (recorded.count === 0) {
          // An earlier attempt of this step recorded it (same outcome, same update or, before updates were
          // named, same time): carry on, creating what it pledged if that is still missing. Anything else
          // has an outcome already: nothing is pledged. A local activity repeated in a later workflow task
          // runs at a later time, under the same update.
          const review = await tx.review.findUniqueOrThrow({ where: { id: reviewId } });
          const expected = input.outcome === 'held' ? 'held' : 'skipped';
          const same = input.updateId ? review.outcomeUpdateId === input.updateId : review.outcomeAt?.getTime() === input.at;
          if (review.status !== expected || !same) {
            throw ApplicationFailure.nonRetryable(`review ${reviewId} is already ${review.status}`, 'InvalidTransition');
          }
        }
        await recordEvent(
          tx,
          partnershipId,
          // The missed review already has its `review:<id>:outcome` event (review.missed).
          `review:${reviewId}:outcome${late ? ':late' : ''}`,
          `review.${input.outcome}`,
          {
            reviewId,
            ...(input.outcome === 'skipped' && { reason: input.reason }),
            ...(late && { late: true }),
          },
          input.actor,
        );
        if (input.outcome !== 'held') return;
        const commitments = input.commitments ?? [];
        const evidence = input.evidenceRequests ?? [];
        await tx.commitment.createMany({
          data: commitments.map((c) => ({ ...c, partnershipId, reviewId, dueAt: new Date(c.dueAt) })),
          skipDuplicates: true,
        });
        await tx.evidenceRequest.createMany({
          data: evidence.map((e) => ({ ...e, partnershipId, reviewId, dueAt: new Date(e.dueAt) })),
          skipDuplicates: true,
        });
        const created = [
          ...commitments.map((c) => deadlineCreated('commitment', c, reviewId)),
          ...evidence.map((e) => deadlineCreated('evidence', e, reviewId)),
        ];
        for (const { key, type, data } of created) await recordEvent(tx, partnershipId, key, type, data, input.actor);
      });
      // A review skipped in advance is cancelled in everyone's calendar; one recorded late is long past.
      // Workflows since OUTCOME_ANSWERS_FIRST send it after answering (sendReviewCancellation).
      if (input.outcome === 'skipped' && !late && !input.cancelLater) await sendInvitation(await loadReview(reviewId), input.at);
    },

    /** A skipped review's cancellation; each member's copy is sent once (its key is the review's). */
    async sendReviewCancellation(input: { partnershipId: string; reviewId: string; dueAt: number }): Promise<void> {
      const review = await loadReview(input.reviewId);
      if (review.status === 'skipped') await sendInvitation(review, input.dueAt);
    },

    /** No outcome within the grace period: the review is missed, and the sponsor and the leads are told. */
    async markReviewMissed(input: { partnershipId: string; reviewId: string }): Promise<void> {
      await db.$transaction(async (tx) => {
        await tx.review.updateMany({ where: { id: input.reviewId, status: 'scheduled' }, data: { status: 'missed' } });
        await recordEvent(tx, input.partnershipId, `review:${input.reviewId}:outcome`, 'review.missed', { reviewId: input.reviewId });
      });
      const review = await loadReview(input.reviewId);
      if (review.status !== 'missed') return;
      const { partnership } = review;
      await notify(
        mailContext(deps),
        reviewNotice(review, {
          messageKey: `review:${review.id}:missed`,
          template: 'review-missed',
          audience: 'reviewMissed',
          message: reviewMissed,
          // Missed the moment the grace period ended, whenever the worker got to it.
          dueAt: DateTime.fromMillis(review.scheduledAt.getTime(), { zone: partnership.timeZone })
            .plus(parseOffset(partnership.outcomeGrace))
            .toMillis(),
        }),
      );
    },
  };
}

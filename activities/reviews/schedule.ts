import { ApplicationFailure } from '@temporalio/activity';
import { DateTime } from 'luxon';
import { recordEvent } from '../../core/events.js';
import { notify } from '../../core/mail/notify.js';
import { reviewReminder } from '../../core/mail/templates.js';
import { nextReview } from '../../core/reviews/recurrence.js';
import { partnershipSchedule } from '../../core/reviews/school-calendar.js';
import { parseOffset, planReminders } from '../../lib/durations.js';
import type { Actor } from '../../workflows/actor.js';
import type { RecurrenceChange } from '../../workflows/partnerships/messages.js';
import type { ReminderInput, ReminderResult, ReviewPlan } from '../../workflows/partnerships/steps.js';
import type { ActivityDeps } from '../deps.js';
import { mailContext, workflowNow } from '../mail/activities.js';
import { notFound } from '../not-found.js';
import { createInvitations, regularOf, reviewNotice, withMembers } from './invitations.js';

/**
 * The upcoming review: planned from the recurrence (and school calendars), moved, reminded of.
 * (Long as the sum of its activities, each a method under 100 lines: the factory only hands them their clients.)
 */
/**
 * A review moved to `at`: it keeps its regular date (where the recurrence put it) and the date it
 * moved from, and its calendar entry's sequence goes up so that calendars replace the old one.
 */
const movedTo = (r: { originalAt: Date | null; scheduledAt: Date }, at: number, reason: string) => ({
  scheduledAt: new Date(at),
  originalAt: r.originalAt ?? r.scheduledAt,
  movedFrom: r.scheduledAt,
  moveReason: reason,
  calendarSequence: { increment: 1 },
});

/**
 * A partnership's calendar of reviews: the next one planned, one moved, the recurrence changed, a reminder sent.
 * (Long as the sum of its activities, each a method under 100 lines: the factory only hands them their clients.)
 */
export function createScheduleActivities(deps: ActivityDeps) {
  const { db } = deps;
  const { loadReview, sendInvitation } = createInvitations(deps);
  return {
    /**
     * The upcoming review: the earliest one still scheduled, or else the next one the recurrence
     * gives after both the last review and `now`, created here. Creation is idempotent: a retry
     * finds the review of that sequence number already there.
     */
    async planNextReview(partnershipId: string, opts?: { now: number }): Promise<ReviewPlan | null> {
      const p = await db.partnership.findUnique({ where: { id: partnershipId } });
      if (!p) throw notFound(`partnership ${partnershipId}`);
      let review = await db.review.findFirst({ where: { partnershipId, status: 'scheduled' }, orderBy: { sequence: 'asc' } });
      if (!review && opts && p.recurrenceRule && p.recurrenceStart) {
        const last = await db.review.findFirst({ where: { partnershipId }, orderBy: { sequence: 'desc' } });
        const after = Math.max(last?.scheduledAt.getTime() ?? Number.NEGATIVE_INFINITY, opts.now);
        const next = nextReview(
          await partnershipSchedule(db, { ...p, recurrenceRule: p.recurrenceRule, recurrenceStart: p.recurrenceStart }),
          after,
          regularOf(last),
        );
        if (!next) return null;
        const sequence = (last?.sequence ?? 0) + 1;
        await db.review.createMany({
          data: [
            {
              partnershipId,
              sequence,
              scheduledAt: new Date(next.at),
              originalAt: next.movedFrom === undefined ? null : new Date(next.movedFrom),
              // Workflow time, so that "already past when planned" is judged on the workflow's clock.
              createdAt: new Date(opts.now),
            },
          ],
          skipDuplicates: true,
        });
        review = await db.review.findUniqueOrThrow({ where: { partnershipId_sequence: { partnershipId, sequence } } });
        await recordEvent(db, partnershipId, `review:${review.id}:planned`, 'review.planned', {
          reviewId: review.id,
          sequence,
          scheduledAt: review.scheduledAt.toISOString(),
          ...(next.movedBy && { movedBy: next.movedBy, originalAt: new Date(next.movedFrom as number).toISOString() }),
        });
      }
      if (!review) return null;
      await sendInvitation(await loadReview(review.id), opts?.now ?? workflowNow());
      const scheduledAt = review.scheduledAt.getTime();
      return {
        reviewId: review.id,
        sequence: review.sequence,
        scheduledAt,
        reminders: planReminders(scheduledAt, p.reminderOffsets, p.timeZone),
        plannedAt: review.createdAt.getTime(),
        outcomeDeadline: DateTime.fromMillis(scheduledAt, { zone: p.timeZone }).plus(parseOffset(p.outcomeGrace)).toMillis(),
      };
    },

    async rescheduleReview(input: { partnershipId: string; reviewId: string; at: number; actor?: Actor | undefined }): Promise<void> {
      await db.$transaction(async (tx) => {
        const review = await tx.review.findUniqueOrThrow({ where: { id: input.reviewId } });
        if (review.scheduledAt.getTime() === input.at) return;
        await tx.review.update({
          where: { id: input.reviewId },
          data: movedTo(review, input.at, input.actor ? `${input.actor.name} moved it` : 'it was moved'),
        });
        await recordEvent(
          tx,
          input.partnershipId,
          `review:${input.reviewId}:rescheduled:${input.at}`,
          'review.rescheduled',
          {
            reviewId: input.reviewId,
            from: review.scheduledAt.toISOString(),
            to: new Date(input.at).toISOString(),
          },
          input.actor,
        );
      });
      await sendInvitation(await loadReview(input.reviewId), workflowNow());
    },

    /**
     * A new recurrence from now on. The upcoming review, if it has no outcome yet, moves to the new
     * recurrence's next date (or is skipped when there is none); later ones are planned from it.
     */
    async changeRecurrence(input: { partnershipId: string; change: RecurrenceChange; at: number }): Promise<void> {
      const { partnershipId, change } = input;
      const movedId = await db.$transaction(async (tx) => {
        const p = await tx.partnership.update({
          where: { id: partnershipId },
          data: {
            recurrenceRule: change.rrule,
            recurrenceStart: change.start,
            ...(change.blackouts && { blackouts: change.blackouts }),
          },
        });
        const upcoming = await tx.review.findFirst({ where: { partnershipId, status: 'scheduled' }, orderBy: { sequence: 'asc' } });
        const previous = await tx.review.findFirst({
          where: { partnershipId, status: { not: 'scheduled' } },
          orderBy: { sequence: 'desc' },
        });
        const after = Math.max(previous?.scheduledAt.getTime() ?? Number.NEGATIVE_INFINITY, input.at);
        // Forward from the last review's own regular date: a school calendar that now blacks out the
        // day of the review just held must not make that (moved) occurrence the next one.
        const next = nextReview(
          await partnershipSchedule(tx, { ...p, recurrenceRule: change.rrule, recurrenceStart: change.start }),
          after,
          regularOf(previous),
        );
        if (upcoming && next && upcoming.scheduledAt.getTime() !== next.at) {
          const why = change.reason ?? 'its recurrence changed';
          await tx.review.update({
            where: { id: upcoming.id },
            data: movedTo(upcoming, next.at, next.movedBy ? `${why}: ${next.movedBy} has no reviews` : why),
          });
        } else if (upcoming && !next) {
          await tx.review.update({
            where: { id: upcoming.id },
            data: {
              status: 'skipped',
              skipReason: 'the new recurrence has no further review',
              outcomeAt: new Date(input.at),
              calendarSequence: { increment: 1 },
            },
          });
        }
        await recordEvent(
          tx,
          partnershipId,
          `partnership:${partnershipId}:recurrence:${input.at}`,
          change.cause === 'school-calendar' ? 'partnership.school_calendar_applied' : 'partnership.recurrence_changed',
          {
            rrule: change.rrule,
            start: change.start,
            ...(change.reason && { reason: change.reason }),
            ...(upcoming && { reviewId: upcoming.id, from: upcoming.scheduledAt.toISOString() }),
            ...(upcoming && next && { to: new Date(next.at).toISOString() }),
          },
          change.actor,
        );
        return upcoming?.id;
      });
      if (movedId) await sendInvitation(await loadReview(movedId), input.at);
    },

    async sendReviewReminder(input: ReminderInput): Promise<ReminderResult> {
      const messageKey = `review:${input.reviewId}:reminder:${input.reminderIndex}`;
      const review = await db.review.findUnique({ where: { id: input.reviewId }, include: { partnership: withMembers } });
      if (!review) throw ApplicationFailure.nonRetryable(`review ${input.reviewId} does not exist`, 'NotFound');
      // A review planned before invitations existed gets its invitation now; otherwise this sends nothing.
      await sendInvitation(review, input.dueAt);
      const { partnership } = review;
      const copies = await notify(
        mailContext(deps),
        reviewNotice(review, {
          messageKey,
          template: 'review-reminder',
          dueAt: input.dueAt,
          audience: 'reviewReminder',
          message: reviewReminder,
        }),
      );
      await recordEvent(db, partnership.id, messageKey, 'review.reminder_sent', {
        reviewId: review.id,
        reminderIndex: input.reminderIndex,
      });
      return { messageKey, copies };
    },
  };
}

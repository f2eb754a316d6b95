import { ApplicationFailure, Context } from '@temporalio/activity';
import { DateTime } from 'luxon';
import { sendOnce } from '../lib/mail/outbox.js';
import { reviewReminder } from '../lib/mail/templates.js';
import { type Blackout, nextReview } from '../lib/schedule/recurrence.js';
import { type PlannedReminder, parseOffset, planReminders } from '../lib/schedule/reminders.js';
import type { ActivityDeps } from './deps.js';
import { recordEvent } from './events.js';

export interface ReviewPlan {
  reviewId: string;
  sequence: number;
  scheduledAt: number;
  reminders: PlannedReminder[];
  /** When the review was first planned: reminders due before then are not sent. */
  plannedAt: number;
  /** Until when an outcome may be recorded before the review counts as missed. */
  outcomeDeadline: number;
}

export interface LifecycleChange {
  to: 'active' | 'paused' | 'completed' | 'ended_early';
  reason?: string;
  /** Workflow time of the change. */
  at: number;
}

export interface ReminderInput {
  partnershipId: string;
  reviewId: string;
  reminderIndex: number;
  /** Workflow time at which the reminder was due. */
  dueAt: number;
}

export interface ReminderResult {
  idempotencyKey: string;
  status: 'sent' | 'already-sent';
}

/** A partnership's reviews: planning from the recurrence, reminders, outcomes, lifecycle changes. */
export function createReviewActivities({ db, mailer, publicUrl }: ActivityDeps) {
  return {
    async activatePartnership(partnershipId: string): Promise<void> {
      const found = await db.partnership.updateMany({
        where: { id: partnershipId, status: 'planning' },
        data: { status: 'active' },
      });
      if (found.count === 0 && !(await db.partnership.findUnique({ where: { id: partnershipId }, select: { id: true } }))) {
        throw ApplicationFailure.nonRetryable(`partnership ${partnershipId} does not exist`, 'NotFound');
      }
      await db.partnershipEvent.upsert({
        where: { idempotencyKey: `partnership:${partnershipId}:activated` },
        create: { partnershipId, idempotencyKey: `partnership:${partnershipId}:activated`, type: 'partnership.activated', actor: 'system' },
        update: {},
      });
    },

    /**
     * The upcoming review: the earliest one still scheduled, or else the next one the recurrence
     * gives after both the last review and `now`, created here. Creation is idempotent: a retry
     * finds the review of that sequence number already there.
     */
    async planNextReview(partnershipId: string, opts?: { now: number }): Promise<ReviewPlan | null> {
      const p = await db.partnership.findUnique({ where: { id: partnershipId } });
      if (!p) throw ApplicationFailure.nonRetryable(`partnership ${partnershipId} does not exist`, 'NotFound');
      let review = await db.review.findFirst({ where: { partnershipId, status: 'scheduled' }, orderBy: { sequence: 'asc' } });
      if (!review && opts && p.recurrenceRule && p.recurrenceStart) {
        const last = await db.review.findFirst({ where: { partnershipId }, orderBy: { sequence: 'desc' } });
        const after = Math.max(last?.scheduledAt.getTime() ?? Number.NEGATIVE_INFINITY, opts.now);
        const schedule = {
          rrule: p.recurrenceRule,
          start: p.recurrenceStart,
          timeZone: p.timeZone,
          blackouts: p.blackouts as unknown as Blackout[],
        };
        const next = nextReview(schedule, after);
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

    /** Pause, resume or end. Reviews that can no longer happen as planned are closed as skipped. */
    async recordLifecycle(partnershipId: string, change: LifecycleChange): Promise<void> {
      const at = new Date(change.at);
      const ending = change.to === 'completed' || change.to === 'ended_early';
      await db.$transaction(async (tx) => {
        await tx.partnership.update({
          where: { id: partnershipId },
          data: { status: change.to, ...(ending && { endedAt: at, endedReason: change.reason ?? null }) },
        });
        // Resuming closes reviews whose time passed during the pause; ending closes all upcoming ones.
        const reason = ending ? 'the partnership ended' : 'the partnership was paused';
        if (ending || change.to === 'active') {
          await tx.review.updateMany({
            where: { partnershipId, status: 'scheduled', ...(change.to === 'active' && { scheduledAt: { lt: at } }) },
            data: { status: 'skipped', skipReason: reason, outcomeAt: at },
          });
        }
        await recordEvent(tx, partnershipId, `partnership:${partnershipId}:${change.to}:${change.at}`, `partnership.${change.to}`, {
          ...(change.reason && { reason: change.reason }),
        });
      });
    },

    async rescheduleReview(input: { partnershipId: string; reviewId: string; at: number }): Promise<void> {
      await db.$transaction(async (tx) => {
        const review = await tx.review.findUniqueOrThrow({ where: { id: input.reviewId } });
        if (review.scheduledAt.getTime() === input.at) return;
        await tx.review.update({
          where: { id: input.reviewId },
          data: { scheduledAt: new Date(input.at), originalAt: review.originalAt ?? review.scheduledAt },
        });
        await recordEvent(tx, input.partnershipId, `review:${input.reviewId}:rescheduled:${input.at}`, 'review.rescheduled', {
          reviewId: input.reviewId,
          from: review.scheduledAt.toISOString(),
          to: new Date(input.at).toISOString(),
        });
      });
    },

    async recordReviewOutcome(
      input: { partnershipId: string; reviewId: string; at: number } & (
        | { outcome: 'held'; notes?: string; decisions?: string[] }
        | { outcome: 'skipped'; reason: string }
      ),
    ): Promise<void> {
      await db.$transaction(async (tx) => {
        await tx.review.updateMany({
          where: { id: input.reviewId, status: 'scheduled' },
          data:
            input.outcome === 'held'
              ? { status: 'held', notes: input.notes ?? null, decisions: input.decisions ?? [], outcomeAt: new Date(input.at) }
              : { status: 'skipped', skipReason: input.reason, outcomeAt: new Date(input.at) },
        });
        await recordEvent(tx, input.partnershipId, `review:${input.reviewId}:outcome`, `review.${input.outcome}`, {
          reviewId: input.reviewId,
          ...(input.outcome === 'skipped' && { reason: input.reason }),
        });
      });
    },

    async markReviewMissed(input: { partnershipId: string; reviewId: string }): Promise<void> {
      await db.$transaction(async (tx) => {
        await tx.review.updateMany({ where: { id: input.reviewId, status: 'scheduled' }, data: { status: 'missed' } });
        await recordEvent(tx, input.partnershipId, `review:${input.reviewId}:outcome`, 'review.missed', { reviewId: input.reviewId });
      });
    },

    async sendReviewReminder(input: ReminderInput): Promise<ReminderResult> {
      const idempotencyKey = `review:${input.reviewId}:reminder:${input.reminderIndex}`;
      const review = await db.review.findUnique({
        where: { id: input.reviewId },
        include: { partnership: { include: { members: { include: { person: true } } } } },
      });
      if (!review) throw ApplicationFailure.nonRetryable(`review ${input.reviewId} does not exist`, 'NotFound');
      const { partnership } = review;
      const status = await sendOnce(
        db,
        mailer,
        {
          idempotencyKey,
          partnershipId: partnership.id,
          template: 'review-reminder',
          recipients: partnership.members.map((m) => m.person.email).sort(),
          mail: reviewReminder({
            partnershipName: partnership.name,
            sequence: review.sequence,
            scheduledAt: review.scheduledAt.getTime(),
            timeZone: partnership.timeZone,
            link: `${publicUrl}/partnerships/${partnership.id}`,
          }),
          dueAt: input.dueAt,
        },
        () => Context.current().heartbeat(),
      );
      await recordEvent(db, partnership.id, idempotencyKey, 'review.reminder_sent', {
        reviewId: review.id,
        reminderIndex: input.reminderIndex,
      });
      return { idempotencyKey, status };
    },
  };
}

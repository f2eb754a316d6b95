import { ApplicationFailure, Context } from '@temporalio/activity';
import { DateTime } from 'luxon';
import { sendOnce } from '../lib/mail/outbox.js';
import { reviewMissed, reviewReminder } from '../lib/mail/templates.js';
import { wantsMessage } from '../lib/policy.js';
import { type Blackout, nextReview } from '../lib/schedule/recurrence.js';
import { type PlannedReminder, parseOffset, planReminders } from '../lib/schedule/reminders.js';
import { publishOpenCounts } from '../lib/temporal/open-counts.js';
import type { RecurrenceChange, ReviewOutcome } from '../workflows/partnership-shared.js';
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
  status: 'sent' | 'already-sent' | 'nobody-wants-it';
}

const scheduleOf = (p: { recurrenceRule: string; recurrenceStart: string; timeZone: string; blackouts: unknown }) => ({
  rrule: p.recurrenceRule,
  start: p.recurrenceStart,
  timeZone: p.timeZone,
  blackouts: p.blackouts as Blackout[],
});

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
        const next = nextReview(scheduleOf({ ...p, recurrenceRule: p.recurrenceRule, recurrenceStart: p.recurrenceStart }), after);
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
      // Each cycle refreshes the counts the workflow's status shows.
      await publishOpenCounts(db, Context.current().client, partnershipId);
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

    /**
     * The outcome of a review. A held review may pledge commitments and ask for evidence: they are
     * created here under the ids the API gave them, so a retry creates nothing twice.
     */
    async recordReviewOutcome(input: { partnershipId: string; at: number } & ReviewOutcome): Promise<void> {
      const { partnershipId, reviewId } = input;
      await db.$transaction(async (tx) => {
        await tx.review.updateMany({
          where: { id: reviewId, status: 'scheduled' },
          data:
            input.outcome === 'held'
              ? { status: 'held', notes: input.notes ?? null, decisions: input.decisions ?? [], outcomeAt: new Date(input.at) }
              : { status: 'skipped', skipReason: input.reason, outcomeAt: new Date(input.at) },
        });
        await recordEvent(tx, partnershipId, `review:${reviewId}:outcome`, `review.${input.outcome}`, {
          reviewId,
          ...(input.outcome === 'skipped' && { reason: input.reason }),
        });
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
        for (const c of commitments) {
          await recordEvent(tx, partnershipId, `commitment:${c.id}:created`, 'commitment.created', {
            commitmentId: c.id,
            reviewId,
            dueAt: new Date(c.dueAt).toISOString(),
          });
        }
        for (const e of evidence) {
          await recordEvent(tx, partnershipId, `evidence:${e.id}:created`, 'evidence.requested', {
            requestId: e.id,
            reviewId,
            dueAt: new Date(e.dueAt).toISOString(),
          });
        }
      });
      await publishOpenCounts(db, Context.current().client, partnershipId);
    },

    /** No outcome within the grace period: the review is missed, and the sponsor and the leads are told. */
    async markReviewMissed(input: { partnershipId: string; reviewId: string }): Promise<void> {
      await db.$transaction(async (tx) => {
        await tx.review.updateMany({ where: { id: input.reviewId, status: 'scheduled' }, data: { status: 'missed' } });
        await recordEvent(tx, input.partnershipId, `review:${input.reviewId}:outcome`, 'review.missed', { reviewId: input.reviewId });
      });
      const review = await db.review.findUniqueOrThrow({
        where: { id: input.reviewId },
        include: { partnership: { include: { members: { include: { person: true } } } } },
      });
      if (review.status !== 'missed') return;
      const { partnership } = review;
      const recipients = partnership.members
        .filter((m) => m.role === 'executive_sponsor' || m.role === 'district_lead' || m.role === 'partner_lead')
        .map((m) => m.person.email)
        .sort();
      if (recipients.length === 0) return;
      await sendOnce(db, mailer, {
        idempotencyKey: `review:${review.id}:missed`,
        partnershipId: partnership.id,
        template: 'review-missed',
        recipients,
        mail: reviewMissed({
          partnershipName: partnership.name,
          sequence: review.sequence,
          scheduledAt: review.scheduledAt.getTime(),
          timeZone: partnership.timeZone,
          link: `${publicUrl}/partnerships/${partnership.id}`,
        }),
        // Missed the moment the grace period ended, whenever the worker got to it.
        dueAt: DateTime.fromMillis(review.scheduledAt.getTime(), { zone: partnership.timeZone })
          .plus(parseOffset(partnership.outcomeGrace))
          .toMillis(),
      });
    },

    /**
     * A new recurrence from now on. The upcoming review, if it has no outcome yet, moves to the new
     * recurrence's next date (or is skipped when there is none); later ones are planned from it.
     */
    async changeRecurrence(input: { partnershipId: string; change: RecurrenceChange; at: number }): Promise<void> {
      const { partnershipId, change } = input;
      await db.$transaction(async (tx) => {
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
        const next = nextReview(scheduleOf({ ...p, recurrenceRule: change.rrule, recurrenceStart: change.start }), after);
        if (upcoming && next && upcoming.scheduledAt.getTime() !== next.at) {
          await tx.review.update({
            where: { id: upcoming.id },
            data: { scheduledAt: new Date(next.at), originalAt: upcoming.originalAt ?? upcoming.scheduledAt },
          });
        } else if (upcoming && !next) {
          await tx.review.update({
            where: { id: upcoming.id },
            data: { status: 'skipped', skipReason: 'the new recurrence has no further review', outcomeAt: new Date(input.at) },
          });
        }
        await recordEvent(tx, partnershipId, `partnership:${partnershipId}:recurrence:${input.at}`, 'partnership.recurrence_changed', {
          rrule: change.rrule,
          start: change.start,
          ...(upcoming && { reviewId: upcoming.id, from: upcoming.scheduledAt.toISOString() }),
          ...(upcoming && next && { to: new Date(next.at).toISOString() }),
        });
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
      const recipients = partnership.members.filter((m) => wantsMessage(m, 'review-reminder')).map((m) => m.person.email);
      if (recipients.length === 0) return { idempotencyKey, status: 'nobody-wants-it' };
      const status = await sendOnce(
        db,
        mailer,
        {
          idempotencyKey,
          partnershipId: partnership.id,
          template: 'review-reminder',
          recipients: recipients.sort(),
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

import { ApplicationFailure } from '@temporalio/activity';
import { DateTime } from 'luxon';
import { recordEvent } from '../../core/events.js';
import { type NoticeResult, notify } from '../../core/mail/notify.js';
import {
  type LifecycleNotice,
  partnershipLifecycle,
  reviewCancelled,
  reviewInvitation,
  reviewMissed,
  reviewReminder,
} from '../../core/mail/templates.js';
import { pages } from '../../core/pages.js';
import { reviewInvitation as invitationIcs } from '../../core/reviews/ics.js';
import { reviewLabel } from '../../core/reviews/label.js';
import { nextReview } from '../../core/reviews/recurrence.js';
import { partnershipSchedule } from '../../core/reviews/school-calendar.js';
import type { PartnershipStatus, Prisma } from '../../generated/prisma/client.js';
import { parseOffset } from '../../lib/durations.js';
import type { Actor } from '../../workflows/actor.js';
import type { RecurrenceChange, ReviewOutcome } from '../../workflows/reviews/messages.js';
import { closeDeadlinesAtEnd, moveDeadlinesAfterPause, replanDeadlines } from '../deadlines/lifecycle.js';
import type { ActivityDeps } from '../deps.js';
import { endCyclesAtEnd, reloadEndedCycles } from '../inquiry/lifecycle.js';
import { mailContext, workflowNow } from '../mail/activities.js';
import { notFound } from '../not-found.js';
import { resumeReflections } from '../reflections/lifecycle.js';
import { type PlannedReminder, planReminders } from './reminders.js';

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
  actor?: Actor | undefined;
}

export interface ReminderInput {
  partnershipId: string;
  reviewId: string;
  reminderIndex: number;
  /** Workflow time at which the reminder was due. */
  dueAt: number;
}

export interface ReminderResult {
  messageKey: string;
  /** How many copies ended in each state, and how many members opted out of reminders. */
  copies: NoticeResult;
}

const withMembers = { include: { members: { include: { person: true } } } } as const;
type ReviewWithMembers = Prisma.ReviewGetPayload<{ include: { partnership: typeof withMembers } }>;

/** The states each lifecycle change may start from; the workflow takes changes one at a time. */
const LIFECYCLE_FROM: Record<LifecycleChange['to'], PartnershipStatus[]> = {
  active: ['paused'],
  paused: ['active'],
  completed: ['planning', 'active', 'paused'],
  ended_early: ['planning', 'active', 'paused'],
};

const LIFECYCLE_NOTICE: Record<LifecycleChange['to'], LifecycleNotice> = {
  active: 'resumed',
  paused: 'paused',
  completed: 'ended',
  ended_early: 'ended',
};

/** How many open deadlines a resume moved, or an end closed (found again, so that a retry tells the same). */
async function deadlinesChangedBy(db: ActivityDeps['db'], partnershipId: string, to: LifecycleChange['to'], at: Date): Promise<number> {
  if (to === 'active') {
    return db.partnershipEvent.count({
      where: {
        partnershipId,
        type: { in: ['commitment.extended', 'evidence.extended'] },
        data: { path: ['pausedUntil'], equals: at.toISOString() },
      },
    });
  }
  if (to === 'paused') return 0;
  const [commitments, requests] = await Promise.all([
    db.commitment.count({ where: { partnershipId, status: 'dropped', closedAt: at } }),
    db.evidenceRequest.count({ where: { partnershipId, status: 'waived', closedAt: at } }),
  ]);
  return commitments + requests;
}

/** A partnership's reviews: planning from the recurrence, reminders, outcomes, lifecycle changes. */
/** Who a review's invitation names as its organizer: the district's lead, else the partner's, else the sponsor. */
function organizerOf(members: { role: string; person: { name: string; email: string } }[]) {
  for (const role of ['district_lead', 'partner_lead', 'executive_sponsor']) {
    const m = members.find((x) => x.role === role);
    if (m) return { name: m.person.name, email: m.person.email };
  }
  return null;
}

export function createReviewActivities(deps: ActivityDeps) {
  const { db, mailer, publicUrl } = deps;
  const loadReview = (id: string) => db.review.findUniqueOrThrow({ where: { id }, include: { partnership: withMembers } });

  /**
   * The review's invitation for its current calendar sequence (REQUEST), or its cancellation, to every
   * member; keyed by review and sequence, so asking again for the same version sends nothing.
   */
  const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

  /** A review's regular date: where the recurrence put it before a blackout or a person moved it. */
  const regularOf = (r: { originalAt: Date | null; scheduledAt: Date } | null) =>
    r ? (r.originalAt ?? r.scheduledAt).getTime() : undefined;

  async function sendInvitation(review: ReviewWithMembers, dueAt: number): Promise<void> {
    const p = review.partnership;
    const cancel = review.status === 'skipped';
    if (!cancel && review.status !== 'scheduled') return;
    // The calendar entry links to the review's page without a sign-in token: it outlives any token.
    const page = `${publicUrl}${pages.review(p.id, review.id)}`;
    const mail = {
      partnershipName: p.name,
      label: reviewLabel(p.recurrenceRule),
      sequence: review.sequence,
      scheduledAt: review.scheduledAt.getTime(),
    };
    await notify(mailContext(deps), {
      messageKey: cancel ? `review:${review.id}:cancel` : `review:${review.id}:invitation:${review.calendarSequence}`,
      template: cancel ? 'review-cancelled' : 'review-invitation',
      partnershipId: p.id,
      partnershipName: p.name,
      timeZone: p.timeZone,
      dueAt,
      recipients: p.members.map((m) => ({ person: m.person, membership: m })),
      target: pages.review(p.id, review.id),
      render: (timeZone, link) =>
        cancel
          ? reviewCancelled({ ...mail, timeZone, link, reason: review.skipReason ?? 'it was skipped' })
          : reviewInvitation({
              ...mail,
              timeZone,
              link,
              moved: review.calendarSequence > 0 ? { from: review.movedFrom?.getTime() ?? null, reason: review.moveReason } : null,
            }),
      calendar: invitationIcs({
        method: cancel ? 'CANCEL' : 'REQUEST',
        reviewId: review.id,
        sequence: review.calendarSequence,
        start: review.scheduledAt,
        summary: `Partnership review #${review.sequence}: ${p.name}`,
        description: `${capitalize(reviewLabel(p.recurrenceRule))} #${review.sequence} of ${p.name}.\n${page}`,
        url: page,
        organizer: organizerOf(p.members) ?? { name: mailer.from.name, email: mailer.from.address },
        sentBy: mailer.from.address,
        attendees: p.members.map((m) => ({ name: m.person.name, email: m.person.email })),
      }),
    });
  }

  return {
    async activatePartnership(partnershipId: string, actor?: Actor): Promise<void> {
      const found = await db.partnership.updateMany({
        where: { id: partnershipId, status: 'planning' },
        data: { status: 'active' },
      });
      if (found.count === 0 && !(await db.partnership.findUnique({ where: { id: partnershipId }, select: { id: true } }))) {
        throw notFound(`partnership ${partnershipId}`);
      }
      await recordEvent(db, partnershipId, `partnership:${partnershipId}:activated`, 'partnership.activated', {}, actor);
    },

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

    /** Pause, resume or end. Reviews that can no longer happen as planned are closed as skipped. */
    async recordLifecycle(partnershipId: string, change: LifecycleChange): Promise<void> {
      const at = new Date(change.at);
      const ending = change.to === 'completed' || change.to === 'ended_early';
      // Resuming closes reviews whose time passed during the pause; ending closes all upcoming ones.
      const closes = ending || change.to === 'active';
      const reason = ending ? 'the partnership ended' : 'the partnership was paused';
      const eventKey = `partnership:${partnershipId}:${change.to}:${change.at}`;
      await db.$transaction(async (tx) => {
        const before = await tx.partnership.findUniqueOrThrow({ where: { id: partnershipId }, select: { pausedAt: true, timeZone: true } });
        const moved = await tx.partnership.updateMany({
          where: { id: partnershipId, status: { in: LIFECYCLE_FROM[change.to] } },
          data: {
            status: change.to,
            pausedAt: change.to === 'paused' ? at : null,
            ...(ending && { endedAt: at, endedReason: change.reason ?? null }),
          },
        });
        // Nothing moved: either this very change was recorded by an earlier attempt, or it no longer fits.
        if (moved.count === 0 && !(await tx.partnershipEvent.findUnique({ where: { idempotencyKey: eventKey }, select: { id: true } }))) {
          const { status } = await tx.partnership.findUniqueOrThrow({ where: { id: partnershipId }, select: { status: true } });
          throw ApplicationFailure.nonRetryable(`the partnership is ${status}; it cannot become ${change.to}`, 'InvalidTransition');
        }
        if (closes) {
          await tx.review.updateMany({
            where: { partnershipId, status: 'scheduled', ...(change.to === 'active' && { scheduledAt: { lt: at } }) },
            data: { status: 'skipped', skipReason: reason, outcomeAt: at, calendarSequence: { increment: 1 } },
          });
        }
        await recordEvent(
          tx,
          partnershipId,
          eventKey,
          `partnership.${change.to}`,
          {
            ...(change.reason && { reason: change.reason }),
          },
          change.actor,
        );
        if (moved.count === 0) return;
        // Open commitments and evidence requests move past the pause, or close with the partnership.
        if (change.to === 'active' && before.pausedAt) {
          const input = {
            partnershipId,
            pausedAt: before.pausedAt.getTime(),
            resumedAt: change.at,
            timeZone: before.timeZone,
            actor: change.actor,
          };
          await moveDeadlinesAfterPause(tx, input);
        }
        if (ending) {
          const note = change.reason ? `The partnership ended: ${change.reason}` : 'The partnership was completed';
          await closeDeadlinesAtEnd(tx, { partnershipId, at: change.at, note, actor: change.actor });
          await endCyclesAtEnd(tx, { partnershipId, at: change.at, note, actor: change.actor });
        }
      });
      if (change.to === 'active' || ending) await replanDeadlines(db, partnershipId, at);
      if (change.to === 'active') {
        // The pause's start, from its event's key (found again, so that a retry after the commit tells the same).
        const paused = await db.partnershipEvent.findFirst({
          where: { partnershipId, idempotencyKey: { startsWith: `partnership:${partnershipId}:paused:` }, occurredAt: { lte: at } },
          orderBy: { occurredAt: 'desc' },
          select: { idempotencyKey: true },
        });
        const pausedAt = Number(paused?.idempotencyKey.split(':').at(-1));
        if (Number.isFinite(pausedAt)) await resumeReflections(db, partnershipId, change.at - pausedAt);
      }
      if (ending) await reloadEndedCycles(db, partnershipId, at);
      const deadlines = await deadlinesChangedBy(db, partnershipId, change.to, at);
      // A partnership ended while still in planning was never announced: nobody is told it ended.
      const announced = await db.partnershipEvent.findUnique({
        where: { idempotencyKey: `partnership:${partnershipId}:activated` },
        select: { id: true },
      });
      if (!announced) return;
      // Found again rather than passed on, so that a retry after the commit still sends the cancellations.
      const closed = closes
        ? await db.review.findMany({
            where: { partnershipId, status: 'skipped', outcomeAt: at, skipReason: reason },
            include: { partnership: withMembers },
          })
        : [];
      for (const review of closed) await sendInvitation(review, change.at);
      const p = await db.partnership.findUniqueOrThrow({ where: { id: partnershipId }, ...withMembers });
      const next = await db.review.findFirst({ where: { partnershipId, status: 'scheduled' }, orderBy: { sequence: 'asc' } });
      const notice = LIFECYCLE_NOTICE[change.to];
      await notify(mailContext(deps), {
        messageKey: `partnership:${partnershipId}:${change.to}:${change.at}`,
        template: `partnership-${notice}`,
        partnershipId,
        partnershipName: p.name,
        timeZone: p.timeZone,
        dueAt: change.at,
        recipients: p.members.map((m) => ({ person: m.person, membership: m })),
        target: pages.partnership(partnershipId),
        render: (timeZone, link) =>
          partnershipLifecycle(notice, {
            partnershipName: p.name,
            at: change.at,
            reason: change.reason,
            nextReviewAt: next?.scheduledAt.getTime() ?? null,
            deadlines,
            timeZone,
            link,
          }),
      });
    },

    async rescheduleReview(input: { partnershipId: string; reviewId: string; at: number; actor?: Actor | undefined }): Promise<void> {
      await db.$transaction(async (tx) => {
        const review = await tx.review.findUniqueOrThrow({ where: { id: input.reviewId } });
        if (review.scheduledAt.getTime() === input.at) return;
        await tx.review.update({
          where: { id: input.reviewId },
          data: {
            scheduledAt: new Date(input.at),
            originalAt: review.originalAt ?? review.scheduledAt,
            movedFrom: review.scheduledAt,
            moveReason: input.actor ? `${input.actor.name} moved it` : 'it was moved',
            calendarSequence: { increment: 1 },
          },
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
     * The outcome of a review. A held review may pledge commitments and ask for evidence: they are
     * created here under the ids the API gave them, so a retry creates nothing twice.
     */
    async recordReviewOutcome(input: { partnershipId: string; at: number } & ReviewOutcome): Promise<void> {
      const { partnershipId, reviewId } = input;
      // A missed review recorded late (the workflow allows it until the next review begins); told by its
      // missed event, which a retry after the commit still finds.
      const late = Boolean(
        await db.partnershipEvent.findFirst({ where: { idempotencyKey: `review:${reviewId}:outcome`, type: 'review.missed' } }),
      );
      await db.$transaction(async (tx) => {
        const recorded = await tx.review.updateMany({
          where: { id: reviewId, status: { in: ['scheduled', 'missed'] } },
          data:
            input.outcome === 'held'
              ? { status: 'held', notes: input.notes ?? null, decisions: input.decisions ?? [], outcomeAt: new Date(input.at) }
              : { status: 'skipped', skipReason: input.reason, outcomeAt: new Date(input.at), calendarSequence: { increment: 1 } },
        });
        if (recorded.count === 0) {
          // An earlier attempt of this activity recorded it (same outcome, same time): carry on, creating
          // what it pledged if that is still missing. Anything else has an outcome already: nothing is pledged.
          const review = await tx.review.findUniqueOrThrow({ where: { id: reviewId } });
          const expected = input.outcome === 'held' ? 'held' : 'skipped';
          if (review.status !== expected || review.outcomeAt?.getTime() !== input.at) {
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
        for (const c of commitments) {
          await recordEvent(
            tx,
            partnershipId,
            `commitment:${c.id}:created`,
            'commitment.created',
            {
              commitmentId: c.id,
              reviewId,
              dueAt: new Date(c.dueAt).toISOString(),
            },
            input.actor,
          );
        }
        for (const e of evidence) {
          await recordEvent(
            tx,
            partnershipId,
            `evidence:${e.id}:created`,
            'evidence.requested',
            {
              requestId: e.id,
              reviewId,
              dueAt: new Date(e.dueAt).toISOString(),
            },
            input.actor,
          );
        }
      });
      // A review skipped in advance is cancelled in everyone's calendar; one recorded late is long past.
      if (input.outcome === 'skipped' && !late) await sendInvitation(await loadReview(reviewId), input.at);
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
      await notify(mailContext(deps), {
        messageKey: `review:${review.id}:missed`,
        template: 'review-missed',
        partnershipId: partnership.id,
        partnershipName: partnership.name,
        timeZone: partnership.timeZone,
        recipients: partnership.members
          .filter((m) => m.role === 'executive_sponsor' || m.role === 'district_lead' || m.role === 'partner_lead')
          .map((m) => ({ person: m.person, membership: m })),
        target: pages.review(partnership.id, review.id),
        render: (timeZone, link) =>
          reviewMissed({
            partnershipName: partnership.name,
            label: reviewLabel(partnership.recurrenceRule),
            sequence: review.sequence,
            scheduledAt: review.scheduledAt.getTime(),
            timeZone,
            link,
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
          await tx.review.update({
            where: { id: upcoming.id },
            data: {
              scheduledAt: new Date(next.at),
              originalAt: upcoming.originalAt ?? upcoming.scheduledAt,
              movedFrom: upcoming.scheduledAt,
              moveReason: next.movedBy
                ? `${change.reason ?? 'its recurrence changed'}: ${next.movedBy} has no reviews`
                : (change.reason ?? 'its recurrence changed'),
              calendarSequence: { increment: 1 },
            },
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
      const copies = await notify(mailContext(deps), {
        messageKey,
        template: 'review-reminder',
        partnershipId: partnership.id,
        partnershipName: partnership.name,
        timeZone: partnership.timeZone,
        dueAt: input.dueAt,
        recipients: partnership.members.map((m) => ({ person: m.person, membership: m })),
        target: pages.review(partnership.id, review.id),
        render: (timeZone, link) =>
          reviewReminder({
            partnershipName: partnership.name,
            label: reviewLabel(partnership.recurrenceRule),
            sequence: review.sequence,
            scheduledAt: review.scheduledAt.getTime(),
            timeZone,
            link,
          }),
      });
      await recordEvent(db, partnership.id, messageKey, 'review.reminder_sent', {
        reviewId: review.id,
        reminderIndex: input.reminderIndex,
      });
      return { messageKey, copies };
    },
  };
}

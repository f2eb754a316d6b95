import { ApplicationFailure, Context } from '@temporalio/activity';
import { DateTime } from 'luxon';
import type { Prisma } from '../generated/prisma/client.js';
import type { Db } from '../lib/db/client.js';
import type { Mailer } from '../lib/mail/mailer.js';
import { sendOnce } from '../lib/mail/outbox.js';
import { commitmentNotice, reflectionPrompt, reflectionSummary, reviewReminder } from '../lib/mail/templates.js';
import { DEFAULT_POLICY } from '../lib/policy.js';
import { type DeadlineStage, planDeadline, stageName } from '../lib/schedule/deadlines.js';
import { type Blackout, nextReview } from '../lib/schedule/recurrence.js';
import { type PlannedReminder, parseOffset, planReminders } from '../lib/schedule/reminders.js';

export interface ActivityDeps {
  db: Db;
  mailer: Mailer;
  publicUrl: string;
}

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

export interface ReflectionPlan {
  memberIds: string[];
  /** Members who had already answered when the plan was made. */
  answered: string[];
  openedAt: number;
  reminders: number[];
  closesAt: number;
}

export interface CommitmentPlan {
  partnershipId: string;
  dueAt: number;
  status: 'open' | 'overdue' | 'done' | 'dropped';
  stages: DeadlineStage[];
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

type Tx = Pick<Db, 'partnershipEvent'>;

/** Appends to the partnership's timeline once per idempotency key. */
async function recordEvent(db: Tx, partnershipId: string, idempotencyKey: string, type: string, data: Prisma.InputJsonObject = {}) {
  await db.partnershipEvent.upsert({
    where: { idempotencyKey },
    create: { partnershipId, idempotencyKey, type, actor: 'system', data },
    update: {},
  });
}

export function createActivities({ db, mailer, publicUrl }: ActivityDeps) {
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

    /**
     * Opens the reflection window after a held review: one prompt row per member (created once,
     * so a retry changes nothing) and the window's timings, computed in the partnership's zone.
     */
    async openReflections(input: { partnershipId: string; reviewId: string; now: number }): Promise<ReflectionPlan> {
      const p = await db.partnership.findUniqueOrThrow({ where: { id: input.partnershipId }, include: { members: true } });
      await db.reflection.createMany({
        data: p.members.map((m) => ({ reviewId: input.reviewId, personId: m.personId, promptedAt: new Date(input.now) })),
        skipDuplicates: true,
      });
      const rows = await db.reflection.findMany({ where: { reviewId: input.reviewId } });
      const openedAt = Math.min(...rows.map((r) => r.promptedAt.getTime()));
      const opened = DateTime.fromMillis(openedAt, { zone: p.timeZone });
      return {
        memberIds: rows.map((r) => r.personId).sort(),
        answered: rows.filter((r) => r.submittedAt).map((r) => r.personId),
        openedAt,
        reminders: DEFAULT_POLICY.reflectionReminders.map((d) => opened.plus(parseOffset(d)).toMillis()),
        closesAt: opened.plus(parseOffset(DEFAULT_POLICY.reflectionWindow)).toMillis(),
      };
    },

    /** Prompts (or reminds) every member who has not answered yet; one message per person and stage. */
    async sendReflectionNotices(input: { reviewId: string; stage: string; dueAt: number; closesAt: number }): Promise<number> {
      const review = await db.review.findUniqueOrThrow({
        where: { id: input.reviewId },
        include: { partnership: true, reflections: { where: { submittedAt: null }, include: { person: true } } },
      });
      if (review.reflectionsClosedAt) return 0;
      for (const r of review.reflections) {
        await sendOnce(db, mailer, {
          idempotencyKey: `reflection:${review.id}:${r.personId}:${input.stage}`,
          partnershipId: review.partnershipId,
          template: input.stage === 'prompt' ? 'reflection-prompt' : 'reflection-reminder',
          recipients: [r.person.email],
          mail: reflectionPrompt(input.stage === 'prompt' ? 'prompt' : 'reminder', {
            partnershipName: review.partnership.name,
            sequence: review.sequence,
            closesAt: input.closesAt,
            timeZone: review.partnership.timeZone,
            link: `${publicUrl}/reviews/${review.id}/reflections`,
          }),
          dueAt: input.dueAt,
        });
      }
      return review.reflections.length;
    },

    /** Closes the window and tells the leads who answered and who did not. */
    async closeReflections(input: { reviewId: string; at: number }): Promise<void> {
      const review = await db.review.findUniqueOrThrow({
        where: { id: input.reviewId },
        include: {
          partnership: { include: { members: { include: { person: true } } } },
          reflections: { include: { person: true }, orderBy: { person: { name: 'asc' } } },
        },
      });
      await db.review.updateMany({
        where: { id: review.id, reflectionsClosedAt: null },
        data: { reflectionsClosedAt: new Date(input.at) },
      });
      const answered = review.reflections.filter((r) => r.submittedAt).map((r) => r.person.name);
      const missing = review.reflections.filter((r) => !r.submittedAt).map((r) => r.person.name);
      const leads = review.partnership.members
        .filter((m) => m.role === 'district_lead' || m.role === 'partner_lead')
        .map((m) => m.person.email);
      const key = `reflection:${review.id}:summary`;
      await sendOnce(db, mailer, {
        idempotencyKey: key,
        partnershipId: review.partnershipId,
        template: 'reflection-summary',
        recipients: leads.sort(),
        mail: reflectionSummary({
          partnershipName: review.partnership.name,
          sequence: review.sequence,
          answered,
          missing,
          link: `${publicUrl}/reviews/${review.id}/reflections`,
        }),
        dueAt: input.at,
      });
      await recordEvent(db, review.partnershipId, key, 'review.reflections_closed', {
        reviewId: review.id,
        answered: answered.length,
        missing: missing.length,
      });
    },

    /** The commitment's current due time and the stages of its deadline, computed in the partnership's zone. */
    async planCommitmentDeadline(commitmentId: string): Promise<CommitmentPlan> {
      const c = await db.commitment.findUnique({ where: { id: commitmentId }, include: { partnership: true } });
      if (!c) throw ApplicationFailure.nonRetryable(`commitment ${commitmentId} does not exist`, 'NotFound');
      const dueAt = c.dueAt.getTime();
      const stages = planDeadline(dueAt, c.partnership.timeZone, {
        reminders: DEFAULT_POLICY.deadlineReminders,
        escalations: DEFAULT_POLICY.deadlineEscalations,
      });
      return { partnershipId: c.partnershipId, dueAt, status: c.status, stages };
    },

    /**
     * One stage of a commitment's deadline: the owner is reminded or told it is overdue (which it
     * becomes), the leads or the sponsor are told it is still open. Keyed by the due time, so an
     * extension starts a fresh series.
     */
    async notifyCommitment(input: { commitmentId: string; stage: DeadlineStage; dueAt: number }): Promise<void> {
      const c = await db.commitment.findUniqueOrThrow({
        where: { id: input.commitmentId },
        include: { owner: true, partnership: { include: { members: { include: { person: true } } } } },
      });
      if (c.dueAt.getTime() !== input.dueAt || c.status === 'done' || c.status === 'dropped') return;
      const stage = stageName(input.stage);
      const idempotencyKey = `commitment:${c.id}:due:${input.dueAt}:${stage}`;
      if (input.stage.kind === 'overdue') {
        await db.commitment.updateMany({ where: { id: c.id, status: 'open', dueAt: c.dueAt }, data: { status: 'overdue' } });
        await recordEvent(db, c.partnershipId, `${idempotencyKey}:status`, 'commitment.overdue', { commitmentId: c.id });
      }
      const roles =
        input.stage.kind === 'escalation' ? (input.stage.to === 'leads' ? ['district_lead', 'partner_lead'] : ['executive_sponsor']) : [];
      const escalateTo = c.partnership.members.filter((m) => roles.includes(m.role)).map((m) => m.person.email);
      const recipients = [...new Set([c.owner.email, ...escalateTo])].sort();
      const notice = input.stage.kind === 'reminder' ? 'reminder' : input.stage.kind;
      await sendOnce(db, mailer, {
        idempotencyKey,
        partnershipId: c.partnershipId,
        template: `commitment-${notice}`,
        recipients,
        mail: commitmentNotice(notice, {
          partnershipName: c.partnership.name,
          description: c.description,
          ownerName: c.owner.name,
          dueAt: input.dueAt,
          timeZone: c.partnership.timeZone,
          link: `${publicUrl}/commitments/${c.id}`,
        }),
        dueAt: input.stage.at,
      });
      await recordEvent(db, c.partnershipId, idempotencyKey, `commitment.${stage.replace(':', '_')}`, { commitmentId: c.id, recipients });
    },

    async closeCommitment(input: { commitmentId: string; status: 'done' | 'dropped'; note?: string; at: number }): Promise<void> {
      await db.$transaction(async (tx) => {
        const c = await tx.commitment.findUniqueOrThrow({ where: { id: input.commitmentId } });
        await tx.commitment.updateMany({
          where: { id: c.id, status: { in: ['open', 'overdue'] } },
          data: { status: input.status, closedAt: new Date(input.at), closeNote: input.note ?? null },
        });
        await recordEvent(tx, c.partnershipId, `commitment:${c.id}:closed`, `commitment.${input.status}`, {
          commitmentId: c.id,
          ...(input.note && { note: input.note }),
        });
      });
    },

    async extendCommitment(input: { commitmentId: string; dueAt: number; reason: string }): Promise<void> {
      await db.$transaction(async (tx) => {
        const c = await tx.commitment.findUniqueOrThrow({ where: { id: input.commitmentId } });
        if (c.dueAt.getTime() === input.dueAt) return;
        await tx.commitmentExtension.create({
          data: { commitmentId: c.id, fromDueAt: c.dueAt, toDueAt: new Date(input.dueAt), reason: input.reason },
        });
        await tx.commitment.update({ where: { id: c.id }, data: { dueAt: new Date(input.dueAt), status: 'open' } });
        await recordEvent(tx, c.partnershipId, `commitment:${c.id}:extended:${input.dueAt}`, 'commitment.extended', {
          commitmentId: c.id,
          from: c.dueAt.toISOString(),
          to: new Date(input.dueAt).toISOString(),
          reason: input.reason,
        });
      });
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;

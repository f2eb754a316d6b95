import { ApplicationFailure } from '@temporalio/activity';
import { sendOnce } from '../lib/mail/outbox.js';
import { commitmentNotice } from '../lib/mail/templates.js';
import { DEFAULT_POLICY } from '../lib/policy.js';
import { type DeadlineStage, planDeadline, stageName } from '../lib/schedule/deadlines.js';
import type { ActivityDeps } from './deps.js';
import { recordEvent } from './events.js';

export interface CommitmentPlan {
  partnershipId: string;
  dueAt: number;
  status: 'open' | 'overdue' | 'done' | 'dropped';
  stages: DeadlineStage[];
}

/** A commitment's deadline: its stages, the notices, and closing or extending it. */
export function createCommitmentActivities({ db, mailer, publicUrl }: ActivityDeps) {
  return {
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

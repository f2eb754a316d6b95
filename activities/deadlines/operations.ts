import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../lib/db/client.js';
import { notify } from '../lib/mail/notify.js';
import { deadlineNotice } from '../lib/mail/templates.js';
import { resolvePolicy, wantsMessage } from '../lib/policy.js';
import { type DeadlineStage, planDeadline, stageName } from '../lib/schedule/deadlines.js';
import type { DeadlinePlan } from '../workflows/deadline.js';
import type { ActivityDeps } from './deps.js';
import { recordEvent } from './events.js';
import { mailContext } from './mail.js';

/** The two things that have a deadline. Keys, templates, events and links are named after `prefix`. */
export const DEADLINE_KINDS = {
  commitment: { prefix: 'commitment', label: 'commitment', path: 'commitments' },
  evidence: { prefix: 'evidence', label: 'evidence request', path: 'evidence-requests' },
} as const;
export type DeadlineKind = keyof typeof DEADLINE_KINDS;

const CLOSED = new Set(['done', 'dropped', 'submitted', 'waived']);

const partnershipWithMembers = { include: { members: { include: { person: true } } } } as const;

async function load(db: Db, kind: DeadlineKind, id: string) {
  const include = { owner: true, partnership: partnershipWithMembers } as const;
  const row =
    kind === 'commitment'
      ? await db.commitment.findUnique({ where: { id }, include })
      : await db.evidenceRequest.findUnique({ where: { id }, include });
  if (!row) throw ApplicationFailure.nonRetryable(`${DEADLINE_KINDS[kind].label} ${id} does not exist`, 'NotFound');
  return row;
}

/** Planning, notices and extensions of a deadline, the same for commitments and evidence requests. */
export function createDeadlineOperations(deps: ActivityDeps) {
  const { db, publicUrl } = deps;
  return {
    /** The current due time and the stages of the deadline, by the partnership's policy and in its zone. */
    async plan(kind: DeadlineKind, id: string): Promise<DeadlinePlan> {
      const row = await load(db, kind, id);
      const policy = resolvePolicy(row.partnership);
      const dueAt = row.dueAt.getTime();
      const stages = planDeadline(dueAt, row.partnership.timeZone, {
        reminders: policy.deadlineReminders,
        escalations: policy.deadlineEscalations,
      });
      return { partnershipId: row.partnershipId, dueAt, status: row.status, stages };
    },

    /**
     * One stage: the owner is reminded or told it is overdue (which it becomes), the leads or the
     * sponsor are told it is still open. Keyed by the due time, so an extension starts a fresh series.
     */
    async notify(kind: DeadlineKind, input: { id: string; stage: DeadlineStage; dueAt: number }): Promise<void> {
      const { prefix, label, path } = DEADLINE_KINDS[kind];
      const row = await load(db, kind, input.id);
      if (row.dueAt.getTime() !== input.dueAt || CLOSED.has(row.status)) return;
      const stage = stageName(input.stage);
      const idempotencyKey = `${prefix}:${row.id}:due:${input.dueAt}:${stage}`;
      const subject = kind === 'commitment' ? { commitmentId: row.id } : { requestId: row.id };
      if (input.stage.kind === 'overdue') {
        const where = { id: row.id, status: 'open' as const, dueAt: row.dueAt };
        if (kind === 'commitment') await db.commitment.updateMany({ where, data: { status: 'overdue' } });
        else await db.evidenceRequest.updateMany({ where, data: { status: 'overdue' } });
        await recordEvent(db, row.partnershipId, `${idempotencyKey}:status`, `${prefix}.overdue`, subject);
      }
      const notice = input.stage.kind;
      const template = `${prefix}-${notice}`;
      const members = row.partnership.members;
      const roles =
        input.stage.kind === 'escalation' ? (input.stage.to === 'leads' ? ['district_lead', 'partner_lead'] : ['executive_sponsor']) : [];
      const owner = { person: row.owner, membership: members.find((m) => m.personId === row.ownerId) ?? null };
      const escalateTo = members.filter((m) => roles.includes(m.role)).map((m) => ({ person: m.person, membership: m }));
      // An escalation reaches the leads or the sponsor even when the owner opted out of optional mail.
      const recipients = [owner, ...escalateTo].filter((r, i, all) => all.findIndex((x) => x.person.id === r.person.id) === i);
      await notify(mailContext(deps), {
        messageKey: idempotencyKey,
        template,
        partnershipId: row.partnershipId,
        partnershipName: row.partnership.name,
        timeZone: row.partnership.timeZone,
        dueAt: input.stage.at,
        recipients,
        render: (timeZone) =>
          deadlineNotice(label, notice, {
            partnershipName: row.partnership.name,
            description: row.description,
            ownerName: row.owner.name,
            dueAt: input.dueAt,
            timeZone,
            link: `${publicUrl}/${path}/${row.id}`,
          }),
      });
      const wanted = recipients.filter((r) => !r.membership || wantsMessage(r.membership, template));
      await recordEvent(db, row.partnershipId, idempotencyKey, `${prefix}.${stage.replace(':', '_')}`, {
        ...subject,
        recipients: wanted.map((r) => r.person.email).sort(),
      });
    },

    /** Moves the due time, keeping the history of extensions; reopens an overdue deadline. */
    async extend(kind: DeadlineKind, input: { id: string; dueAt: number; reason: string }): Promise<void> {
      const { prefix } = DEADLINE_KINDS[kind];
      await db.$transaction(async (tx) => {
        const row =
          kind === 'commitment'
            ? await tx.commitment.findUniqueOrThrow({ where: { id: input.id } })
            : await tx.evidenceRequest.findUniqueOrThrow({ where: { id: input.id } });
        if (row.dueAt.getTime() === input.dueAt) return;
        const history = { fromDueAt: row.dueAt, toDueAt: new Date(input.dueAt), reason: input.reason };
        const data = { dueAt: new Date(input.dueAt), status: 'open' as const };
        if (kind === 'commitment') {
          await tx.commitmentExtension.create({ data: { commitmentId: row.id, ...history } });
          await tx.commitment.update({ where: { id: row.id }, data });
        } else {
          await tx.evidenceExtension.create({ data: { requestId: row.id, ...history } });
          await tx.evidenceRequest.update({ where: { id: row.id }, data });
        }
        await recordEvent(tx, row.partnershipId, `${prefix}:${row.id}:extended:${input.dueAt}`, `${prefix}.extended`, {
          ...(kind === 'commitment' ? { commitmentId: row.id } : { requestId: row.id }),
          from: row.dueAt.toISOString(),
          to: new Date(input.dueAt).toISOString(),
          reason: input.reason,
        });
      });
    },
  };
}

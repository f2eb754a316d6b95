import { ApplicationFailure } from '@temporalio/activity';
import { actorColumns, recordEvent } from '../../core/events.js';
import { notify } from '../../core/mail/notify.js';
import { deadlineAssigned, deadlineNotice, evidenceSentBack } from '../../core/mail/templates.js';
import { pages } from '../../core/pages.js';
import { ESCALATION_ROLES, resolvePolicy, wantsMessage } from '../../core/policy.js';
import type { Db } from '../../lib/db/client.js';
import type { Actor } from '../../workflows/actor.js';
import type { DeadlinePlan, DeadlineStage, EvidenceItemInput } from '../../workflows/deadlines/messages.js';
import type { ActivityDeps } from '../deps.js';
import { mailContext } from '../mail/activities.js';
import { notFound } from '../not-found.js';
import { planDeadline, stageName } from './stages.js';

/** The two things that have a deadline. Keys, templates and events are named after `prefix`. */
export const DEADLINE_KINDS = {
  commitment: { prefix: 'commitment', label: 'commitment' },
  evidence: { prefix: 'evidence', label: 'evidence request' },
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
  if (!row) throw notFound(`${DEADLINE_KINDS[kind].label} ${id}`);
  return row;
}

/**
 * When the partnership resumed from the pause that moved the deadline to `dueAt`, or 0 when no
 * pause moved it there (lifecycle.ts records the move as an event).
 */
async function lastResume(db: Db, kind: DeadlineKind, row: { id: string; partnershipId: string; dueAt: Date }): Promise<number> {
  const { prefix } = DEADLINE_KINDS[kind];
  const event = await db.partnershipEvent.findFirst({
    where: { partnershipId: row.partnershipId, type: `${prefix}.extended`, idempotencyKey: { startsWith: `${prefix}:${row.id}:paused:` } },
    orderBy: { id: 'desc' },
    select: { data: true },
  });
  const data = event?.data as { to?: string; pausedUntil?: string } | undefined;
  if (!data?.pausedUntil || Date.parse(data.to ?? '') !== row.dueAt.getTime()) return 0;
  return Date.parse(data.pausedUntil);
}

/** The page a notice leads to: the deadline's own, or for an inquiry phase the cycle's, where it is recorded. */
async function targetOf(db: Db, kind: DeadlineKind, row: { id: string; partnershipId: string; inquiryPhaseId?: string | null }) {
  if (kind === 'evidence') return pages.evidence(row.partnershipId, row.id);
  if (!row.inquiryPhaseId) return pages.commitment(row.partnershipId, row.id);
  const phase = await db.inquiryPhase.findUniqueOrThrow({ where: { id: row.inquiryPhaseId }, select: { cycleId: true } });
  return pages.inquiryCycle(row.partnershipId, phase.cycleId);
}

/**
 * Planning, notices and extensions of a deadline, the same for commitments and evidence requests.
 * (Long as the sum of its activities, each a method under 100 lines: the factory only hands them their clients.)
 */
export function createDeadlineOperations(deps: ActivityDeps) {
  const { db } = deps;

  /**
   * The owner of a new commitment or evidence request is told at once that it is theirs, with its due
   * time: the first reminder may be weeks away, or already past when it was made. Once per deadline
   * (its first plan; a hand-over sends its own notice). An inquiry phase's owner gets "Your turn" instead.
   */
  async function tellOwner(kind: DeadlineKind, row: Awaited<ReturnType<typeof load>>) {
    if (CLOSED.has(row.status) || ('inquiryPhaseId' in row && row.inquiryPhaseId)) return;
    const { prefix, label } = DEADLINE_KINDS[kind];
    if (kind === 'evidence' && (await tellSentBack(row))) return;
    const created = await db.partnershipEvent.findUnique({
      where: { idempotencyKey: `${prefix}:${row.id}:created` },
      select: { actorName: true },
    });
    const membership = row.partnership.members.find((m) => m.personId === row.ownerId) ?? null;
    await notify(mailContext(deps), {
      messageKey: `${prefix}:${row.id}:assigned`,
      template: `${prefix}-assigned`,
      about: row.partnership,
      dueAt: row.createdAt.getTime(),
      recipients: [{ person: row.owner, membership }],
      target: await targetOf(db, kind, row),
      replyFor: () => ({ kind, id: row.id }),
      render: (timeZone, link, reader) =>
        deadlineAssigned(label, {
          partnershipName: row.partnership.name,
          description: row.description,
          dueAt: row.dueAt.getTime(),
          timeZone,
          link,
          by: created?.actorName && created.actorName !== reader.name ? created.actorName : null,
        }),
    });
  }

  /**
   * Evidence a lead sent back (core/deadlines/evidence-review.ts) starts its workflow again: its owner
   * is told why and by when, once per verdict, instead of being told the request is new.
   */
  async function tellSentBack(row: Awaited<ReturnType<typeof load>>): Promise<boolean> {
    const review = await db.evidenceReview.findFirst({ where: { requestId: row.id }, orderBy: { createdAt: 'desc' } });
    if (review?.verdict !== 'sent_back' || review.dueAt?.getTime() !== row.dueAt.getTime()) return false;
    const membership = row.partnership.members.find((m) => m.personId === row.ownerId) ?? null;
    await notify(mailContext(deps), {
      messageKey: `evidence:${row.id}:sent-back:${review.id}`,
      template: 'evidence-sent-back',
      about: row.partnership,
      dueAt: review.createdAt.getTime(),
      recipients: [{ person: row.owner, membership }],
      target: pages.evidence(row.partnershipId, row.id),
      render: (timeZone, link) =>
        evidenceSentBack({
          partnershipName: row.partnership.name,
          description: row.description,
          comment: review.comment ?? '',
          // A key names the lead it speaks for.
          by: review.onBehalfOfName ?? review.actorName,
          dueAt: row.dueAt.getTime(),
          timeZone,
          link,
        }),
    });
    return true;
  }

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
      await tellOwner(kind, row);
      // After a pause moved it, the stages that now fall before the resume were sent before the pause.
      const resumedAt = await lastResume(db, kind, row);
      return { partnershipId: row.partnershipId, dueAt, status: row.status, stages: stages.filter((s) => s.at >= resumedAt) };
    },

    /**
     * One stage: the owner is reminded or told it is overdue (which it becomes), the leads or the
     * sponsor are told it is still open. Keyed by the due time, so an extension starts a fresh series.
     */
    async notify(kind: DeadlineKind, input: { id: string; stage: DeadlineStage; dueAt: number }): Promise<void> {
      const { prefix, label } = DEADLINE_KINDS[kind];
      const row = await load(db, kind, input.id);
      if (row.dueAt.getTime() !== input.dueAt || CLOSED.has(row.status)) return;
      // Nothing about a paused partnership is sent: resuming moves this stage past the pause.
      if (row.partnership.status === 'paused') return;
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
      const roles = input.stage.kind === 'escalation' ? ESCALATION_ROLES[input.stage.to] : [];
      const owner = { person: row.owner, membership: members.find((m) => m.personId === row.ownerId) ?? null };
      const escalateTo = members.filter((m) => roles.includes(m.role)).map((m) => ({ person: m.person, membership: m }));
      // An escalation reaches the leads or the sponsor even when the owner opted out of optional mail.
      const recipients = [owner, ...escalateTo].filter((r, i, all) => all.findIndex((x) => x.person.id === r.person.id) === i);
      await notify(mailContext(deps), {
        messageKey: idempotencyKey,
        template,
        about: row.partnership,
        dueAt: input.stage.at,
        recipients,
        target: await targetOf(db, kind, row),
        // The owner answers by reply; the leads told of it act on the page.
        replyFor: (reader) => (reader.id === row.ownerId ? { kind, id: row.id } : null),
        render: (timeZone, link, reader) =>
          deadlineNotice(label, notice, {
            partnershipName: row.partnership.name,
            description: row.description,
            ownerName: row.owner.name,
            dueAt: input.dueAt,
            timeZone,
            link,
            toOwner: reader.id === row.ownerId,
          }),
      });
      const wanted = recipients.filter((r) => !r.membership || wantsMessage(r.membership, template));
      await recordEvent(db, row.partnershipId, idempotencyKey, `${prefix}.${stage.replace(':', '_')}`, {
        ...subject,
        recipients: wanted.map((r) => r.person.email).sort(),
      });
    },

    /**
     * Moves the due time, keeping the history of extensions; reopens an overdue deadline. Written only
     * while the deadline is open and still due when it was read; a retry finds it already moved.
     */
    async extend(kind: DeadlineKind, input: { id: string; dueAt: number; reason: string; actor?: Actor | undefined }): Promise<void> {
      const { prefix, label } = DEADLINE_KINDS[kind];
      await db.$transaction(async (tx) => {
        const row =
          kind === 'commitment'
            ? await tx.commitment.findUniqueOrThrow({ where: { id: input.id } })
            : await tx.evidenceRequest.findUniqueOrThrow({ where: { id: input.id } });
        if (row.dueAt.getTime() === input.dueAt) return;
        const expected = { id: row.id, dueAt: row.dueAt, status: { in: ['open' as const, 'overdue' as const] } };
        const data = { dueAt: new Date(input.dueAt), status: 'open' as const };
        const moved =
          kind === 'commitment'
            ? await tx.commitment.updateMany({ where: expected, data })
            : await tx.evidenceRequest.updateMany({ where: expected, data });
        if (moved.count === 0) throw refused(`the ${label} is ${row.status}; it cannot be extended`);
        const { onBehalfOfId: _, ...by } = actorColumns(input.actor);
        const history = { fromDueAt: row.dueAt, toDueAt: new Date(input.dueAt), reason: input.reason, ...by };
        if (kind === 'commitment') await tx.commitmentExtension.create({ data: { commitmentId: row.id, ...history } });
        else await tx.evidenceExtension.create({ data: { requestId: row.id, ...history } });
        await recordEvent(
          tx,
          row.partnershipId,
          `${prefix}:${row.id}:extended:${input.dueAt}`,
          `${prefix}.extended`,
          {
            ...(kind === 'commitment' ? { commitmentId: row.id } : { requestId: row.id }),
            from: row.dueAt.toISOString(),
            to: new Date(input.dueAt).toISOString(),
            reason: input.reason,
          },
          input.actor,
        );
      });
    },

    /**
     * Closes the deadline (done, dropped, submitted, waived) while it is open; an evidence request's
     * closing item is stored with it. A retry finds it closed at the same time and changes nothing.
     */
    async close(
      kind: DeadlineKind,
      input: { id: string; status: ClosedStatus; at: number; note: string | null; item?: EvidenceItemInput; actor?: Actor | undefined },
    ) {
      const { prefix, label } = DEADLINE_KINDS[kind];
      await db.$transaction(async (tx) => {
        const at = new Date(input.at);
        const where = { id: input.id, status: { in: ['open' as const, 'overdue' as const] } };
        const data = { closedAt: at, closeNote: input.note };
        const closed =
          kind === 'commitment'
            ? await tx.commitment.updateMany({ where, data: { ...data, status: input.status as 'done' | 'dropped' } })
            : await tx.evidenceRequest.updateMany({ where, data: { ...data, status: input.status as 'submitted' | 'waived' } });
        const row =
          kind === 'commitment'
            ? await tx.commitment.findUniqueOrThrow({ where: { id: input.id } })
            : await tx.evidenceRequest.findUniqueOrThrow({ where: { id: input.id } });
        const retried = row.status === input.status && row.closedAt?.getTime() === input.at;
        if (closed.count === 0 && !retried) throw refused(`the ${label} is already ${row.status}`);
        if (input.item) await storeItem(tx, input.id, input.item, at);
        const subject = kind === 'commitment' ? { commitmentId: row.id } : { requestId: row.id };
        await recordEvent(
          tx,
          row.partnershipId,
          `${prefix}:${row.id}:closed`,
          `${prefix}.${input.status}`,
          {
            ...subject,
            ...(input.item && { itemId: input.item.itemId, kind: input.item.kind }),
            ...(input.note && { note: input.note }),
          },
          input.actor,
        );
      });
    },
  };
}

type ClosedStatus = 'done' | 'dropped' | 'submitted' | 'waived';

/** An item of evidence under the id the API gave it, so that a retry stores it once. */
export async function storeItem(tx: Pick<Db, 'evidenceItem'>, requestId: string, item: EvidenceItemInput, at: Date) {
  await tx.evidenceItem.createMany({
    data: [
      {
        id: item.itemId,
        requestId,
        kind: item.kind,
        link: item.link ?? null,
        text: item.text ?? null,
        fileId: item.fileId ?? null,
        submittedById: item.personId,
        submittedAt: at,
      },
    ],
    skipDuplicates: true,
  });
}

/** A write the deadline's state does not allow; the workflow's claims keep this from happening. */
const refused = (message: string) => ApplicationFailure.nonRetryable(message, 'InvalidTransition');

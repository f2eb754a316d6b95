import { ApplicationFailure } from '@temporalio/activity';
import { recordEvent } from '../../core/events.js';
import { notify } from '../../core/mail/notify.js';
import { workHandedOver } from '../../core/mail/templates.js';
import { pages } from '../../core/pages.js';
import { keepsALead, LEADS, lockRoster } from '../../core/people/roster.js';
import type { Actor } from '../../workflows/actor.js';
import type { HandOver } from '../../workflows/partnerships/messages.js';
import { DEADLINE_KINDS } from '../deadlines/operations.js';
import type { ActivityDeps } from '../deps.js';
import { mailContext } from '../mail/activities.js';

const OPEN = { in: ['open' as const, 'overdue' as const] };

/**
 * Changes of a partnership's roster that the partnership's workflow carries out (they send mail).
 * (Long as the sum of its activities, each a method under 100 lines: the factory only hands them their clients.)
 */
export function createRosterActivities(deps: ActivityDeps) {
  const { db } = deps;
  return {
    /**
     * Hands every open commitment and evidence request of one member to another, each recorded in the
     * timeline, then tells both. Keyed by the request's time: a retry moves nothing twice and sends the
     * notice once. With `leaves`, the member is removed from the partnership in the same transaction.
     */
    async handOverWork(input: HandOver & { partnershipId: string; at: number }): Promise<number> {
      const { partnershipId, fromId, toId, at } = input;
      const actor: Actor | undefined = input.actor;
      const key = `handover:${partnershipId}:${fromId}:${at}`;
      await db.$transaction(async (tx) => {
        if (await tx.partnershipEvent.findUnique({ where: { idempotencyKey: key }, select: { id: true } })) return;
        await lockRoster(tx, partnershipId);
        const to = await tx.partnershipMember.findUnique({ where: { partnershipId_personId: { partnershipId, personId: toId } } });
        if (!to) throw ApplicationFailure.nonRetryable('the person taking over is not a member of the partnership', 'InvalidTransition');
        const where = { partnershipId, ownerId: fromId, status: OPEN };
        const [commitments, requests] = await Promise.all([
          tx.commitment.findMany({ where, select: { id: true } }),
          tx.evidenceRequest.findMany({ where, select: { id: true } }),
        ]);
        await tx.commitment.updateMany({ where: { ...where, id: { in: commitments.map((c) => c.id) } }, data: { ownerId: toId } });
        await tx.evidenceRequest.updateMany({ where: { ...where, id: { in: requests.map((r) => r.id) } }, data: { ownerId: toId } });
        const moved = [
          ...commitments.map((c) => ({ kind: 'commitment' as const, subject: { commitmentId: c.id }, id: c.id })),
          ...requests.map((r) => ({ kind: 'evidence' as const, subject: { requestId: r.id }, id: r.id })),
        ];
        for (const m of moved) {
          const { prefix } = DEADLINE_KINDS[m.kind];
          const data = { ...m.subject, fromId, toId, ...(input.reason && { reason: input.reason }) };
          await recordEvent(tx, partnershipId, `${prefix}:${m.id}:handover:${at}`, `${prefix}.reassigned`, data, actor);
        }
        // Their inquiry phases not yet recorded follow: the one under way moved with its commitment above.
        await tx.inquiryPhase.updateMany({
          where: { ownerId: fromId, recordedAt: null, cycle: { partnershipId, status: 'open' } },
          data: { ownerId: toId },
        });
        if (input.leaves) {
          // Checked again under the roster's lock: a lead removed meanwhile may have made this one the last.
          const leaving = await tx.partnershipMember.findUnique({ where: { partnershipId_personId: { partnershipId, personId: fromId } } });
          if (leaving && LEADS.includes(leaving.role)) {
            await keepsALead(tx, partnershipId, fromId, 'let them leave').catch((e: Error) => {
              throw ApplicationFailure.nonRetryable(e.message, 'InvalidTransition');
            });
          }
          await tx.partnershipMember.deleteMany({ where: { partnershipId, personId: fromId } });
        }
        const data = { fromId, toId, items: moved.length, leaves: input.leaves === true, ...(input.reason && { reason: input.reason }) };
        await recordEvent(tx, partnershipId, key, 'member.work_handed_over', data, actor);
      });
      // Found again, so that a retry after the commit tells the same.
      const items = await Promise.all([
        db.commitment.findMany({ where: { partnershipId, ownerId: toId, status: OPEN } }),
        db.evidenceRequest.findMany({ where: { partnershipId, ownerId: toId, status: OPEN } }),
      ]);
      const handed = await db.partnershipEvent.findMany({
        where: {
          partnershipId,
          type: { in: ['commitment.reassigned', 'evidence.reassigned'] },
          idempotencyKey: { endsWith: `:handover:${at}` },
        },
        select: { data: true },
      });
      const ids = new Set(
        handed.map(
          (e) => (e.data as { commitmentId?: string; requestId?: string }).commitmentId ?? (e.data as { requestId?: string }).requestId,
        ),
      );
      const list = [
        ...items[0]
          .filter((c) => ids.has(c.id))
          .map((c) => ({ label: 'Commitment', description: c.description, dueAt: c.dueAt.getTime() })),
        ...items[1]
          .filter((r) => ids.has(r.id))
          .map((r) => ({ label: 'Evidence request', description: r.description, dueAt: r.dueAt.getTime() })),
      ];
      const p = await db.partnership.findUniqueOrThrow({ where: { id: partnershipId } });
      const [from, to] = await Promise.all([
        db.person.findUniqueOrThrow({ where: { id: fromId } }),
        db.person.findUniqueOrThrow({ where: { id: toId } }),
      ]);
      const memberships = await db.partnershipMember.findMany({ where: { partnershipId, personId: { in: [fromId, toId] } } });
      await notify(mailContext(deps), {
        messageKey: key,
        template: 'work-handed-over',
        about: p,
        dueAt: at,
        urgent: true,
        recipients: [from, to].map((person) => ({ person, membership: memberships.find((m) => m.personId === person.id) ?? null })),
        target: pages.partnership(partnershipId),
        render: (timeZone, link) =>
          workHandedOver({
            partnershipName: p.name,
            fromName: from.name,
            toName: to.name,
            reason: input.reason ?? null,
            items: list,
            timeZone,
            link,
          }),
      });
      return list.length;
    },
  };
}

import { ApplicationFailure } from '@temporalio/activity';
import { recordEvent } from '../../core/events.js';
import { createCycle, PHASE_TEXT } from '../../core/inquiry/cycles.js';
import { asRecipients, notify } from '../../core/mail/notify.js';
import { inquiryClosed, inquiryPhaseOpened } from '../../core/mail/templates.js';
import { pages } from '../../core/pages.js';
import { audienceOf } from '../../core/policy.js';
import type { Prisma } from '../../generated/prisma/client.js';
import { type InquiryCycleState, type InquiryPhase, nextPhase, type RecordPhase } from '../../workflows/inquiry/messages.js';
import type { PhaseRecorded } from '../../workflows/inquiry/steps.js';
import type { ActivityDeps } from '../deps.js';
import { mailContext, workflowNow } from '../mail/activities.js';

const OPEN = { in: ['open' as const, 'overdue' as const] };

const invalid = (message: string) => ApplicationFailure.nonRetryable(message, 'InvalidTransition');

/**
 * What a cycle's workflow asks of the database: open a phase, record one, read the cycle again.
 * (Long as the sum of its activities, each a method under 100 lines: the factory only hands them their clients.)
 */
export function createInquiryActivities(deps: ActivityDeps) {
  const { db } = deps;

  const side = async (partnership: { districtId: string; partnerId: string }, personId: string) => {
    const staff = await db.staff.findMany({ where: { personId }, select: { organizationId: true } });
    const of = new Set(staff.map((s) => s.organizationId));
    return of.has(partnership.partnerId) ? 'partner' : of.has(partnership.districtId) ? 'district' : 'shared';
  };

  return {
    async loadInquiryCycle(cycleId: string): Promise<InquiryCycleState> {
      const c = await db.inquiryCycle.findUniqueOrThrow({ where: { id: cycleId }, select: { status: true, currentPhase: true } });
      return { status: c.status, phase: c.currentPhase };
    },

    /**
     * Puts the phase under way: its deadline becomes a commitment with the phase's id (owner, due
     * date, reminders, escalation), and its owner is told it is their turn. Returns the commitment's
     * id, or null when the cycle has moved on. Created once: a retry finds it.
     */
    async openInquiryPhase(input: { cycleId: string; phase: InquiryPhase }): Promise<string | null> {
      const phase = await db.inquiryPhase.findUniqueOrThrow({
        where: { cycleId_phase: { cycleId: input.cycleId, phase: input.phase } },
        include: { owner: true, cycle: { include: { partnership: { include: { members: true } } } } },
      });
      const { cycle } = phase;
      const { partnership } = cycle;
      if (cycle.status !== 'open' || cycle.currentPhase !== input.phase || phase.recordedAt) return null;
      const text = PHASE_TEXT[input.phase];
      const ownerSide = await side(partnership, phase.ownerId);
      await db.$transaction(async (tx) => {
        if (await tx.commitment.findUnique({ where: { id: phase.id }, select: { id: true } })) return;
        await tx.commitment.create({
          data: {
            id: phase.id,
            inquiryPhaseId: phase.id,
            partnershipId: partnership.id,
            ownerId: phase.ownerId,
            side: ownerSide,
            description: `Inquiry cycle ${cycle.number}, ${text.label}: ${cycle.question}`,
            dueAt: phase.dueAt,
          },
        });
        await recordEvent(tx, partnership.id, `inquiry:${phase.id}:opened`, 'inquiry.phase_opened', {
          cycleId: cycle.id,
          phase: input.phase,
          commitmentId: phase.id,
          ownerId: phase.ownerId,
        });
      });
      // Nothing about a paused partnership is sent; the phase's deadline moves past the pause.
      if (partnership.status === 'paused') return phase.id;
      const membership = partnership.members.find((m) => m.personId === phase.ownerId) ?? null;
      await notify(mailContext(deps), {
        messageKey: `inquiry:${phase.id}:opened`,
        template: 'inquiry-phase',
        about: partnership,
        dueAt: workflowNow(),
        recipients: [{ person: phase.owner, membership }],
        target: pages.inquiryCycle(partnership.id, cycle.id),
        render: (timeZone, link) =>
          inquiryPhaseOpened({
            partnershipName: partnership.name,
            cycleNumber: cycle.number,
            phaseLabel: text.label,
            ask: text.ask,
            question: cycle.question,
            dueAt: phase.dueAt.getTime(),
            timeZone,
            link,
          }),
      });
      return phase.id;
    },

    /**
     * Records the phase under way and moves the cycle to the next, guarded by the phase it expects
     * (a refused record changes nothing); its commitment is done. The reflection closes the cycle
     * and, when the act phase decided to adapt, starts the next with the same owners and the same
     * spacing of due dates. A retry of a record that was made returns what it made.
     */
    async recordInquiryPhase(input: RecordPhase & { cycleId: string; at: number }): Promise<PhaseRecorded> {
      const { cycleId, at, actor, ...record } = input;
      const key = (phaseId: string) => `inquiry:${phaseId}:recorded`;
      const result = await db.$transaction(async (tx) => {
        const phase = await tx.inquiryPhase.findUniqueOrThrow({
          where: { cycleId_phase: { cycleId, phase: record.phase } },
          include: { cycle: { include: { phases: true, next: { select: { id: true } } } } },
        });
        const { cycle } = phase;
        const done = await tx.partnershipEvent.findUnique({ where: { idempotencyKey: key(phase.id) }, select: { id: true } });
        if (done) return { phase, cycle, nextCycleId: cycle.next?.id ?? null, fresh: false };
        const next = nextPhase(record.phase);
        const decision = record.phase === 'act' ? record.decision : undefined;
        const moved = await tx.inquiryCycle.updateMany({
          where: { id: cycleId, status: 'open', currentPhase: record.phase },
          data: {
            currentPhase: next,
            ...(decision && { decision }),
            ...(record.phase === 'plan' && record.question?.trim() && { question: record.question.trim() }),
            ...(next === null && { status: 'closed', closedAt: new Date(at) }),
          },
        });
        if (moved.count === 0) {
          throw invalid(cycle.status === 'open' ? `the cycle is in its ${cycle.currentPhase} phase` : `the cycle is ${cycle.status}`);
        }
        const { phase: _, ...fields } = record;
        await tx.inquiryPhase.update({
          where: { id: phase.id },
          data: {
            record: fields as Prisma.InputJsonObject,
            recordedAt: new Date(at),
            recordedBy: actor ? `${actor.name}${actor.onBehalfOf ? ` for ${actor.onBehalfOf.name}` : ''}` : null,
          },
        });
        await tx.commitment.updateMany({
          where: { id: phase.id, status: OPEN },
          data: { status: 'done', closedAt: new Date(at), closeNote: `${PHASE_TEXT[record.phase].label} recorded` },
        });
        await recordEvent(tx, cycle.partnershipId, key(phase.id), 'inquiry.phase_recorded', { cycleId, phase: record.phase }, actor);
        let nextCycleId: string | null = null;
        if (next === null) {
          await recordEvent(
            tx,
            cycle.partnershipId,
            `inquiry:${cycleId}:closed`,
            'inquiry.closed',
            { cycleId, decision: cycle.decision },
            actor,
          );
          if (cycle.decision === 'adapt') {
            // The next cycle keeps the owners and the spacing of the due dates, counted from now.
            const adapted = await createCycle(tx, {
              partnershipId: cycle.partnershipId,
              cohortId: cycle.cohortId,
              question: cycle.question,
              previousId: cycle.id,
              startedAt: new Date(at),
              phases: cycle.phases.map((p) => ({
                phase: p.phase,
                ownerId: p.ownerId,
                dueAt: new Date(at + (p.dueAt.getTime() - cycle.startedAt.getTime())),
              })),
              actor,
            });
            nextCycleId = adapted.id;
          }
        }
        return { phase, cycle, nextCycleId, fresh: true };
      });
      const now = await db.inquiryCycle.findUniqueOrThrow({
        where: { id: cycleId },
        include: { partnership: { include: { members: { include: { person: true } } } } },
      });
      if (now.status === 'closed') await tellCycleClosed(now, result.nextCycleId);
      return { phaseId: result.phase.id, state: { status: now.status, phase: now.currentPhase }, nextCycleId: result.nextCycleId };
    },
  };

  /** Everyone in the partnership hears how the cycle ended and what comes next. */
  async function tellCycleClosed(
    cycle: Prisma.InquiryCycleGetPayload<{ include: { partnership: { include: { members: { include: { person: true } } } } } }>,
    nextCycleId: string | null,
  ) {
    const { partnership } = cycle;
    const decision = cycle.decision ?? 'adopt';
    const next =
      decision === 'adapt'
        ? `Cycle ${cycle.number + 1} has started with the same question and owners; its plan phase is under way.`
        : decision === 'adopt'
          ? 'The change is adopted; no further cycle is planned.'
          : 'The change is abandoned; no further cycle is planned.';
    await notify(mailContext(deps), {
      messageKey: `inquiry:${cycle.id}:closed`,
      template: 'inquiry-closed',
      about: partnership,
      dueAt: cycle.closedAt?.getTime() ?? workflowNow(),
      recipients: asRecipients(audienceOf(partnership.members, 'inquiryCycleClosed')),
      target: pages.inquiryCycle(partnership.id, nextCycleId ?? cycle.id),
      render: (_timeZone, link) =>
        inquiryClosed({ partnershipName: partnership.name, cycleNumber: cycle.number, question: cycle.question, decision, next, link }),
    });
  }
}

import type { Prisma } from '../../generated/prisma/client.js';
import type { Actor } from '../../workflows/actor.js';
import type { InquiryPhase } from '../../workflows/inquiry/messages.js';
import { recordEvent } from '../events.js';

/** How each phase is named to people, and what it asks of its owner (mail, pages, the API's docs). */
export const PHASE_TEXT: Record<InquiryPhase, { label: string; ask: string }> = {
  plan: { label: 'Plan', ask: 'the change idea, what you predict it will do, and the measures you will watch.' },
  do: { label: 'Do', ask: 'try the change, and note what was done and what happened along the way.' },
  study: { label: 'Study', ask: 'what the data showed, against the prediction.' },
  act: { label: 'Act', ask: 'the decision: adopt the change, adapt it and run another cycle, or abandon it.' },
  reflect: { label: 'Reflect', ask: 'what worked, what did not, and how to improve; this closes the cycle.' },
};

export interface NewCycle {
  partnershipId: string;
  cohortId?: string | null;
  question: string;
  /** The cycle this one adapts. */
  previousId?: string;
  startedAt: Date;
  /** One per phase, due in phase order. */
  phases: { phase: InquiryPhase; ownerId: string; dueAt: Date }[];
  actor?: Actor | undefined;
}

/**
 * Writes a cycle and its five phases, numbered next in its partnership. The partnership's row is
 * locked for the transaction, so two cycles started at once get consecutive numbers.
 */
export async function createCycle(tx: Prisma.TransactionClient, input: NewCycle) {
  await tx.$queryRaw`SELECT id FROM partnership WHERE id = ${input.partnershipId}::uuid FOR UPDATE`;
  const last = await tx.inquiryCycle.aggregate({ where: { partnershipId: input.partnershipId }, _max: { number: true } });
  const cycle = await tx.inquiryCycle.create({
    data: {
      partnershipId: input.partnershipId,
      cohortId: input.cohortId ?? null,
      number: (last._max.number ?? 0) + 1,
      question: input.question,
      previousId: input.previousId ?? null,
      startedAt: input.startedAt,
      phases: { create: input.phases.map((p) => ({ phase: p.phase, ownerId: p.ownerId, dueAt: p.dueAt })) },
    },
  });
  await recordEvent(
    tx,
    input.partnershipId,
    `inquiry:${cycle.id}:started`,
    'inquiry.started',
    { cycleId: cycle.id, number: cycle.number, question: cycle.question, ...(input.previousId && { adapts: input.previousId }) },
    input.actor,
  );
  return cycle;
}

import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { recordEvent } from '../../core/events.js';
import type { Prisma } from '../../generated/prisma/client.js';
import type { Actor } from '../../workflows/actor.js';
import { inquiryWorkflowId } from '../../workflows/ids.js';
import { reloadInquirySignal } from '../../workflows/inquiry/messages.js';

type Tx = Prisma.TransactionClient;

/**
 * Ending a partnership ends its open inquiry cycles, in the end's transaction (their phases'
 * commitments are dropped with the other deadlines, activities/deadlines/lifecycle.ts); then each
 * cycle's workflow reads that and finishes. A pause needs nothing here: the phase under way is a
 * commitment, and moves with the others.
 */
export async function endCyclesAtEnd(tx: Tx, input: { partnershipId: string; at: number; note: string; actor?: Actor | undefined }) {
  const open = await tx.inquiryCycle.findMany({ where: { partnershipId: input.partnershipId, status: 'open' }, select: { id: true } });
  for (const c of open) {
    const done = await tx.inquiryCycle.updateMany({
      where: { id: c.id, status: 'open' },
      data: { status: 'ended', currentPhase: null, closedAt: new Date(input.at) },
    });
    if (done.count === 0) continue;
    await recordEvent(tx, input.partnershipId, `inquiry:${c.id}:ended`, 'inquiry.ended', { cycleId: c.id, note: input.note }, input.actor);
  }
  return open.length;
}

/** Tells the workflow of every cycle of the partnership ended at `since` or later to read it again. */
export async function reloadEndedCycles(db: Tx, partnershipId: string, since: Date): Promise<void> {
  const ended = await db.inquiryCycle.findMany({
    where: { partnershipId, status: 'ended', closedAt: { gte: since } },
    select: { id: true },
  });
  const client = Context.current().client;
  for (const c of ended) {
    try {
      await client.workflow.getHandle(inquiryWorkflowId(c.id)).signal(reloadInquirySignal);
    } catch (e) {
      if (!(e instanceof WorkflowNotFoundError)) throw e;
    }
    Context.current().heartbeat();
  }
}

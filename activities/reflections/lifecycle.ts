import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Prisma } from '../../generated/prisma/client.js';
import { reflectionWorkflowId } from '../../workflows/ids.js';
import { partnershipResumedSignal } from '../../workflows/reflections/messages.js';

/**
 * Tells the reflection workflow of every review of the partnership whose window is still open that
 * the partnership was paused for `pausedMs`: its window's close moves by as much.
 */
export async function resumeReflections(db: Prisma.TransactionClient, partnershipId: string, pausedMs: number): Promise<void> {
  const open = await db.review.findMany({ where: { partnershipId, status: 'held', reflectionsClosedAt: null }, select: { id: true } });
  const client = Context.current().client;
  for (const r of open) {
    try {
      await client.workflow.getHandle(reflectionWorkflowId(r.id)).signal(partnershipResumedSignal, { pausedMs });
    } catch (e) {
      if (!(e instanceof WorkflowNotFoundError)) throw e;
    }
    Context.current().heartbeat();
  }
}

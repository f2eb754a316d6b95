import type { DeadlineStage } from '../lib/schedule/deadlines.js';
import type { DeadlinePlan } from '../workflows/deadline.js';
import { createDeadlineOperations } from './deadlines.js';
import type { ActivityDeps } from './deps.js';
import { recordEvent } from './events.js';

export type CommitmentPlan = DeadlinePlan;

/** A commitment's deadline: its stages, the notices, and closing or extending it. */
export function createCommitmentActivities(deps: ActivityDeps) {
  const { db } = deps;
  const deadline = createDeadlineOperations(deps);
  return {
    planCommitmentDeadline: (commitmentId: string): Promise<CommitmentPlan> => deadline.plan('commitment', commitmentId),

    notifyCommitment: (input: { commitmentId: string; stage: DeadlineStage; dueAt: number }) =>
      deadline.notify('commitment', { id: input.commitmentId, stage: input.stage, dueAt: input.dueAt }),

    extendCommitment: (input: { commitmentId: string; dueAt: number; reason: string }) =>
      deadline.extend('commitment', { id: input.commitmentId, dueAt: input.dueAt, reason: input.reason }),

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
  };
}

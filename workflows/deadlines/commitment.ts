import { defineQuery, defineUpdate, setHandler } from '@temporalio/workflow';
import { type DeadlineStatus, extendDeadlineUpdate, rejectTransition, runDeadline } from './deadline.js';
import { activities } from './partnership-shared.js';

export type CommitmentStatus = DeadlineStatus<'done' | 'dropped'>;

export const commitmentStatusQuery = defineQuery<CommitmentStatus>('status');
export const completeCommitmentUpdate = defineUpdate<CommitmentStatus, [{ note?: string }]>('complete');
export const dropCommitmentUpdate = defineUpdate<CommitmentStatus, [{ reason: string }]>('drop');
export const extendCommitmentUpdate = extendDeadlineUpdate<CommitmentStatus>();

/**
 * One per commitment (`commitment:<id>`): reminders before the due time, overdue at it, then
 * escalation to the partnership leads and to the executive sponsor, until it is done or dropped.
 * An extension (with a reason) moves every timer.
 */
export async function commitmentWorkflow({ commitmentId }: { commitmentId: string }): Promise<void> {
  await runDeadline({
    what: 'commitment',
    closedStatuses: ['done', 'dropped'],
    plan: () => activities.planCommitmentDeadline(commitmentId),
    notify: (stage, dueAt) => activities.notifyCommitment({ commitmentId, stage, dueAt }),
    extend: (dueAt, reason) => activities.extendCommitment({ commitmentId, dueAt, reason }),
    extendUpdate: extendCommitmentUpdate,
    register: ({ status, ensureOpen }) => {
      setHandler(commitmentStatusQuery, () => status);
      setHandler(
        completeCommitmentUpdate,
        async ({ note }) => {
          await activities.closeCommitment({ commitmentId, status: 'done', note, at: Date.now() });
          status.status = 'done';
          return status;
        },
        { validator: (_request) => ensureOpen() },
      );
      setHandler(
        dropCommitmentUpdate,
        async ({ reason }) => {
          await activities.closeCommitment({ commitmentId, status: 'dropped', note: reason, at: Date.now() });
          status.status = 'dropped';
          return status;
        },
        {
          validator: ({ reason }) => {
            ensureOpen();
            if (!reason?.trim()) rejectTransition('dropping a commitment needs a reason');
          },
        },
      );
    },
  });
}

import { setHandler } from '@temporalio/workflow';
import { activities, steps } from '../activities.js';
import { rejectTransition, runDeadline } from './deadline.js';
import { commitmentStatusQuery, completeCommitmentUpdate, dropCommitmentUpdate, extendCommitmentUpdate } from './messages.js';

/**
 * One per commitment (`commitment:<id>`): reminders before the due time, overdue at it, then
 * escalation to the partnership leads and to the executive sponsor, until it is done or dropped.
 * An extension (with a reason) moves every timer.
 */
export async function commitmentWorkflow({ commitmentId }: { commitmentId: string }): Promise<void> {
  await runDeadline({
    what: 'commitment',
    closedStatuses: ['done', 'dropped'],
    plan: () => steps().planCommitmentDeadline(commitmentId),
    notify: (stage, dueAt) => steps().notifyCommitment({ commitmentId, stage, dueAt }),
    extend: (dueAt, reason, actor) => activities.extendCommitment({ commitmentId, dueAt, reason, actor }),
    extendUpdate: extendCommitmentUpdate,
    register: ({ status, ensureOpen, close }) => {
      setHandler(commitmentStatusQuery, () => status);
      setHandler(
        completeCommitmentUpdate,
        ({ note, actor }) => close('done', () => activities.closeCommitment({ commitmentId, status: 'done', note, at: Date.now(), actor })),
        { validator: (_request) => ensureOpen() },
      );
      setHandler(
        dropCommitmentUpdate,
        ({ reason, actor }) =>
          close('dropped', () => activities.closeCommitment({ commitmentId, status: 'dropped', note: reason, at: Date.now(), actor })),
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

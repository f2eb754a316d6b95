import { ApplicationFailure, allHandlersFinished, condition, defineQuery, defineUpdate, setHandler } from '@temporalio/workflow';
import type { CommitmentPlan } from '../activities/index.js';
import type { DeadlineStage } from '../lib/schedule/deadlines.js';
import { activities } from './partnership-shared.js';

export interface CommitmentStatus {
  status: 'open' | 'overdue' | 'done' | 'dropped';
  dueAt: number | null;
  nextStage: DeadlineStage | null;
  /** Workflow-clock times of the notices sent for the current due time. */
  notices: { stage: DeadlineStage; sentAt: number }[];
}

export const commitmentStatusQuery = defineQuery<CommitmentStatus>('status');
export const completeCommitmentUpdate = defineUpdate<CommitmentStatus, [{ note?: string }]>('complete');
export const dropCommitmentUpdate = defineUpdate<CommitmentStatus, [{ reason: string }]>('drop');
export const extendCommitmentUpdate = defineUpdate<CommitmentStatus, [{ dueAt: number; reason: string }]>('extend');

const reject = (message: string) => {
  throw ApplicationFailure.nonRetryable(message, 'InvalidTransition');
};

/**
 * One per commitment (`commitment:<id>`): reminders before the due time, overdue at it, then
 * escalation to the partnership leads and to the executive sponsor, until it is done or dropped.
 * An extension (with a reason) moves every timer.
 */
export async function commitmentWorkflow({ commitmentId }: { commitmentId: string }): Promise<void> {
  const status: CommitmentStatus = { status: 'open', dueAt: null, nextStage: null, notices: [] };
  let version = 0;
  const closed = () => status.status === 'done' || status.status === 'dropped';
  const ensureOpen = () => {
    if (closed()) reject(`the commitment is already ${status.status}`);
  };
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
        if (!reason?.trim()) reject('dropping a commitment needs a reason');
      },
    },
  );
  setHandler(
    extendCommitmentUpdate,
    async ({ dueAt, reason }) => {
      await activities.extendCommitment({ commitmentId, dueAt, reason });
      version++;
      return status;
    },
    {
      validator: ({ dueAt, reason }) => {
        ensureOpen();
        if (!reason?.trim()) reject('extending a commitment needs a reason');
        if (!Number.isFinite(dueAt) || dueAt <= Date.now()) reject('the new due time must be in the future');
        if (dueAt === status.dueAt) reject('the commitment is already due then');
      },
    },
  );

  while (!closed()) {
    const planned = version;
    const changed = () => version !== planned || closed();
    const plan: CommitmentPlan = await activities.planCommitmentDeadline(commitmentId);
    if (plan.status === 'done' || plan.status === 'dropped') status.status = plan.status;
    if (closed()) break;
    if (plan.dueAt !== status.dueAt) status.notices = [];
    status.dueAt = plan.dueAt;
    status.status = plan.dueAt <= Date.now() ? 'overdue' : 'open';
    for (const stage of plan.stages) {
      if (status.notices.some((n) => n.stage.kind === stage.kind && n.stage.at === stage.at)) continue;
      // Stages already past when the deadline was (re)planned are not sent late, except overdue.
      if (stage.kind === 'reminder' && stage.at < Date.now()) continue;
      status.nextStage = stage;
      if (await condition(changed, Math.max(0, stage.at - Date.now()))) break;
      await activities.notifyCommitment({ commitmentId, stage, dueAt: plan.dueAt });
      if (stage.kind === 'overdue') status.status = 'overdue';
      status.notices.push({ stage, sentAt: Date.now() });
    }
    status.nextStage = null;
    if (!changed()) await condition(changed);
  }
  status.nextStage = null;
  // Let the update that closed it answer before the workflow completes.
  await condition(allHandlersFinished);
}

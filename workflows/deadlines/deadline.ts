import type { UpdateDefinition } from '@temporalio/common';
import { ApplicationFailure, allHandlersFinished, condition, defineUpdate, setHandler } from '@temporalio/workflow';
import type { DeadlineStage } from '../lib/schedule/deadlines.js';

/** What a deadline's plan activity returns: the due time and the stages, computed in the partnership's zone. */
export interface DeadlinePlan {
  partnershipId: string;
  dueAt: number;
  status: string;
  stages: DeadlineStage[];
}

export interface DeadlineStatus<Closed extends string> {
  status: 'open' | 'overdue' | Closed;
  dueAt: number | null;
  nextStage: DeadlineStage | null;
  /** Workflow-clock times of the notices sent for the current due time. */
  notices: { stage: DeadlineStage; sentAt: number }[];
}

export const extendDeadlineUpdate = <S>(): UpdateDefinition<S, [{ dueAt: number; reason: string }]> => defineUpdate('extend');

export const rejectTransition = (message: string): never => {
  throw ApplicationFailure.nonRetryable(message, 'InvalidTransition');
};

/**
 * The one deadline shape of commitments and evidence requests: reminders before the due time,
 * overdue at it, escalations after it, until a closing update ends it. An extension moves every
 * timer. `close` registers the closing updates; each returns the status it closes with.
 */
export async function runDeadline<Closed extends string>(opts: {
  what: string;
  closedStatuses: readonly Closed[];
  plan: () => Promise<DeadlinePlan>;
  notify: (stage: DeadlineStage, dueAt: number) => Promise<void>;
  extend: (dueAt: number, reason: string) => Promise<void>;
  extendUpdate: UpdateDefinition<DeadlineStatus<Closed>, [{ dueAt: number; reason: string }]>;
  register: (helpers: { status: DeadlineStatus<Closed>; ensureOpen: () => void }) => void;
}): Promise<void> {
  const status: DeadlineStatus<Closed> = { status: 'open', dueAt: null, nextStage: null, notices: [] };
  let version = 0;
  const closed = () => (opts.closedStatuses as readonly string[]).includes(status.status);
  const ensureOpen = () => {
    if (closed()) rejectTransition(`the ${opts.what} is already ${status.status}`);
  };
  opts.register({ status, ensureOpen });
  setHandler(
    opts.extendUpdate,
    async ({ dueAt, reason }) => {
      await opts.extend(dueAt, reason);
      version++;
      return status;
    },
    {
      validator: ({ dueAt, reason }) => {
        ensureOpen();
        if (!reason?.trim()) rejectTransition(`extending a ${opts.what} needs a reason`);
        if (!Number.isFinite(dueAt) || dueAt <= Date.now()) rejectTransition('the new due time must be in the future');
        if (dueAt === status.dueAt) rejectTransition(`the ${opts.what} is already due then`);
      },
    },
  );

  while (!closed()) {
    const planned = version;
    const changed = () => version !== planned || closed();
    const plan = await opts.plan();
    if ((opts.closedStatuses as readonly string[]).includes(plan.status)) status.status = plan.status as Closed;
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
      await opts.notify(stage, plan.dueAt);
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

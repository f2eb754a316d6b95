import type { UpdateDefinition } from '@temporalio/common';
import { ApplicationFailure, allHandlersFinished, condition, setHandler } from '@temporalio/workflow';
import type { Acted, Actor } from '../actor.js';
import { oneAtATime } from '../one-at-a-time.js';
import { type DeadlinePlan, type DeadlineStage, type DeadlineStatus, replanDeadlineSignal } from './messages.js';

export const rejectTransition = (message: string): never => {
  throw ApplicationFailure.nonRetryable(message, 'InvalidTransition');
};

/** What a deadline's closing updates are registered with. */
export interface DeadlineHandlers<Closed extends string> {
  status: DeadlineStatus<Closed>;
  /** For validators: refuses a change once a closing update has been accepted. */
  ensureOpen: () => void;
  /**
   * A closing update's handler: claims the closed status at once (a second close or an extension
   * sent together is refused), then does `work` after any update accepted before it.
   */
  close: (to: Closed, work: () => Promise<void>) => Promise<DeadlineStatus<Closed>>;
  /** The closed status an accepted update has claimed, if any. */
  closing: () => Closed | null;
  /** Runs work after the updates accepted before it. */
  serially: <T>(work: () => Promise<T>) => Promise<T>;
}

/**
 * The one deadline shape of commitments and evidence requests: reminders before the due time,
 * overdue at it, escalations after it, until a closing update ends it. An extension moves every
 * timer. `register` registers the closing updates; each returns the status it closes with.
 */
export async function runDeadline<Closed extends string>(opts: {
  what: string;
  closedStatuses: readonly Closed[];
  plan: () => Promise<DeadlinePlan>;
  notify: (stage: DeadlineStage, dueAt: number) => Promise<void>;
  extend: (dueAt: number, reason: string, actor: Actor | undefined) => Promise<void>;
  extendUpdate: UpdateDefinition<DeadlineStatus<Closed>, [{ dueAt: number; reason: string } & Acted]>;
  register: (handlers: DeadlineHandlers<Closed>) => void;
}): Promise<void> {
  const status: DeadlineStatus<Closed> = { status: 'open', dueAt: null, nextStage: null, notices: [] };
  let version = 0;
  const closed = () => (opts.closedStatuses as readonly string[]).includes(status.status);
  // Claimed by accepted updates before their first await; validators judge against these.
  let closedAs: Closed | null = null;
  let claimedDueAt: number | null = null;
  const serially = oneAtATime();
  const ensureOpen = () => {
    if (closedAs ?? closed()) rejectTransition(`the ${opts.what} is already ${closedAs ?? status.status}`);
  };
  const close = (to: Closed, work: () => Promise<void>) => {
    closedAs = to;
    return serially(async () => {
      try {
        await work();
      } catch (e) {
        // Refused for good (data the database would not take): the deadline is as open as before,
        // and the next update is judged by that.
        closedAs = null;
        throw e;
      }
      status.status = to;
      return status;
    });
  };
  opts.register({ status, ensureOpen, close, closing: () => closedAs, serially });
  // Only its partnership's resume or end sends it, so histories from before it existed replay unchanged.
  setHandler(replanDeadlineSignal, () => {
    version++;
  });
  setHandler(
    opts.extendUpdate,
    ({ dueAt, reason, actor }) => {
      const before = claimedDueAt;
      claimedDueAt = dueAt;
      return serially(async () => {
        try {
          await opts.extend(dueAt, reason, actor);
        } catch (e) {
          claimedDueAt = before;
          throw e;
        }
        version++;
        return status;
      });
    },
    {
      validator: ({ dueAt, reason }) => {
        ensureOpen();
        if (!reason?.trim()) rejectTransition(`extending a ${opts.what} needs a reason`);
        if (!Number.isFinite(dueAt) || dueAt <= Date.now()) rejectTransition('the new due time must be in the future');
        if (dueAt === (claimedDueAt ?? status.dueAt)) rejectTransition(`the ${opts.what} is already due then`);
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

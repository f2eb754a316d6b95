import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  currentUpdateInfo,
  ParentClosePolicy,
  patched,
  setHandler,
  sleep,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { activities, outcomeSteps, steps } from '../activities.js';
import type { Acted } from '../actor.js';
import { commitmentWorkflow } from '../deadlines/commitment.js';
import { evidenceRequestWorkflow } from '../deadlines/evidence.js';
import { commitmentWorkflowId, evidenceWorkflowId, reflectionWorkflowId } from '../ids.js';
import { oneAtATime } from '../one-at-a-time.js';
import { reflectionWorkflow } from '../reflections/reflection.js';
import {
  activateUpdate,
  changeRecurrenceUpdate,
  endUpdate,
  HELD_EARLIEST_MS,
  handOverUpdate,
  type Lifecycle,
  type PartnershipStatus,
  pauseUpdate,
  type ReviewOutcome,
  recordOutcomeUpdate,
  rescheduleReviewUpdate,
  resumeUpdate,
  statusQuery,
} from './messages.js';
import type { ReviewPlan } from './steps.js';

export type { PartnershipStatus };
export {
  activateUpdate,
  changeRecurrenceUpdate,
  endUpdate,
  handOverUpdate,
  pauseUpdate,
  recordOutcomeUpdate,
  rescheduleReviewUpdate,
  resumeUpdate,
  statusQuery,
};

/** What a run hands to the next when it continues as new. */
export interface CarriedState {
  lifecycle: 'active' | 'paused';
  /** Epoch ms of the planned end, if the partnership has one. */
  plannedEnd?: number | null;
}

/** How a new partnership begins: in planning (until activated, or its planned start), and when it ends by itself. */
export interface PartnershipPlan {
  planning: boolean;
  plannedStart?: number | null;
  plannedEnd?: number | null;
}

export interface PartnershipInput {
  partnershipId: string;
  carried?: CarriedState;
  plan?: PartnershipPlan;
}

/** Marks the histories in which a missed review may still be recorded (before it, it could not). */
const RECORD_MISSED_LATE = 'record-missed-reviews-late';
/** Marks the histories of partnerships that began in planning (before, every one began active). */
const PLANNING = 'planning-phase';
/** Marks the histories in which a planned end completes the partnership by itself. */
const PLANNED_END = 'planned-end';
/** Marks the histories in which a review held while the partnership is paused asks for reflections at once. */
const REFLECT_WHEN_HELD_PAUSED = 'reflect-when-held-paused';
/**
 * Marks the histories in which skipping a review answers once the outcome is recorded, and its
 * calendar cancellation is sent after (by the loop); before, the update waited for every copy.
 */
const OUTCOME_ANSWERS_FIRST = 'outcome-answers-first';
/**
 * Marks the histories in which the loop lets the workflow task that recorded an outcome end before
 * going on: the update's answer goes out with that task, and before it waited for what the loop then
 * did in the same task as local activities (a skipped review's cancellations, the next review, its
 * invitations: every member's copy).
 */
const ANSWER_BEFORE_NEXT_REVIEW = 'answer-before-next-review';
/** Marks the histories in which a held review's pledges start their workflows together (before, one after another). */
const PLEDGES_START_TOGETHER = 'pledges-start-together';
/**
 * Marks the histories in which an outcome or a reschedule sent while the next review is being planned
 * is accepted and judged once the plan is known. The review is in the database, and on the person's
 * page, before its planning activity returns (it still sends the invitations); before, such an update
 * was refused ("not awaiting an outcome", "not the upcoming review").
 */
const OUTCOME_WHILE_PLANNING = 'outcome-while-planning';

const NOT_STARTED = 'the partnership is still in planning: activate it first';

const reject = (message: string) => {
  throw ApplicationFailure.nonRetryable(message, 'InvalidTransition');
};

/** The state of one run of a partnership, shared by its update handlers and its loop. */
interface Run {
  partnershipId: string;
  status: PartnershipStatus;
  /** Bumped by every update that changes the plan, so that waits end and the loop replans. */
  planVersion: number;
  current: ReviewPlan | null;
  outcomeRecorded: boolean;
  heldReviewId: string | null;
  /** An outcome was recorded since the loop last looked: its answer goes out before the loop goes on. */
  answered: boolean;
  /** Reviews skipped in advance whose calendar cancellation is still to be sent, with when they were skipped. */
  cancellations: { reviewId: string; dueAt: number }[];
  /**
   * A review marked missed that may still be recorded, until the next review begins (the missed
   * notice's "record it late"). Histories from before this existed have no marker and no late review.
   */
  late: { reviewId: string; claimed: boolean } | null;
  /**
   * What accepted updates will make of the partnership once their work is done: validators judge
   * against these claims, taken before a handler's first await, so that of two updates sent at once
   * the second sees the first (see one-at-a-time.ts). The loop reads the settled state (status).
   */
  claimedLifecycle: Lifecycle;
  outcomeClaimed: boolean;
  /** The next review is being planned: an outcome or a reschedule accepted meanwhile is judged once its plan is known. */
  planning: boolean;
  /** Whether this run accepts outcomes and reschedules while planning (see OUTCOME_WHILE_PLANNING). */
  outcomeMayComeWhilePlanning: boolean;
  activatedBy: Acted['actor'] | undefined;
  serially: ReturnType<typeof oneAtATime>;
}

const hasEnded = (l: Lifecycle) => l === 'completed' || l === 'ended_early';
const lifecycleOf = (run: Run) => run.status.lifecycle as Lifecycle;
const isOpen = (run: Run) => !hasEnded(lifecycleOf(run));

/** A change the database refused after all gives its claim back, so the next update is judged by what is. */
async function settle(run: Run, work: () => Promise<void>) {
  try {
    await work();
  } catch (e) {
    run.claimedLifecycle = lifecycleOf(run);
    throw e;
  }
}

/** Records a change of lifecycle (pause, resume, end), then lets the loop replan. */
async function changeLifecycle(
  run: Run,
  to: Exclude<Lifecycle, 'planning'>,
  how: { reason?: string | undefined; actor?: Acted['actor'] | undefined },
) {
  await settle(run, () => activities.recordLifecycle(run.partnershipId, { to, ...how, at: Date.now() }));
  run.status.lifecycle = to;
  run.planVersion++;
  return run.status;
}

/**
 * One per partnership (`partnership:<id>`), for the partnership's whole life: in planning until
 * activated, then plans each review from the recurrence, reminds before it, waits for its outcome
 * (missed after the grace period), and reacts to pause, resume, end, reschedule and outcome updates,
 * each validated first, until it ends (by an update or its planned end).
 */
export async function partnershipWorkflow({ partnershipId, carried, plan: begin }: PartnershipInput): Promise<void> {
  // Asked once, before the first command: a marker written after a local activity in the same
  // task was seen to break the replay of a query that arrived meanwhile.
  const outcomeMayComeWhilePlanning = patched(OUTCOME_WHILE_PLANNING);
  // Decided before the handlers are set: an update that came with the first task is judged as
  // each handler is set, by the lifecycle the run starts in.
  const startsInPlanning = !carried && begin?.planning === true && patched(PLANNING);
  const startsAs: Lifecycle = carried?.lifecycle ?? (startsInPlanning ? 'planning' : 'active');
  const run: Run = {
    partnershipId,
    status: {
      phase: 'starting',
      lifecycle: startsAs,
      currentReview: null,
      nextReviewAt: null,
      nextReminderAt: null,
      sentReminders: [],
    },
    planVersion: 0,
    current: null,
    outcomeRecorded: false,
    heldReviewId: null,
    answered: false,
    cancellations: [],
    late: null,
    claimedLifecycle: startsAs,
    outcomeClaimed: false,
    planning: false,
    outcomeMayComeWhilePlanning,
    activatedBy: undefined,
    serially: oneAtATime(),
  };
  setHandler(statusQuery, () => run.status);
  handleLifecycle(run);
  handlePlanChanges(run);
  handleOutcomes(run);
  handleActivation(run);

  if (startsInPlanning) await inPlanning(run, begin?.plannedStart ?? null);
  if (!carried && isOpen(run)) {
    await steps().activatePartnership(partnershipId, run.activatedBy);
    if (lifecycleOf(run) === 'planning') run.status.lifecycle = 'active';
  }
  const plannedEnd = carried?.plannedEnd ?? begin?.plannedEnd ?? null;
  if (plannedEnd != null && isOpen(run) && patched(PLANNED_END)) endAt(run, plannedEnd);

  while (isOpen(run)) {
    if (run.answered) {
      run.answered = false;
      if (patched(ANSWER_BEFORE_NEXT_REVIEW)) await sleep(1);
    }
    await sendCancellations(run);
    if (workflowInfo().continueAsNewSuggested) {
      // Nothing left to send by the run that ends here: an update finishing meanwhile may add to it.
      do {
        await condition(allHandlersFinished);
        await sendCancellations(run);
      } while (!allHandlersFinished());
      const next: CarriedState = {
        lifecycle: lifecycleOf(run) === 'paused' ? 'paused' : 'active',
        ...(plannedEnd != null && { plannedEnd }),
      };
      await continueAsNew<typeof partnershipWorkflow>({ partnershipId, carried: next });
    }
    if (lifecycleOf(run) === 'paused') {
      run.status.phase = 'paused';
      run.status.nextReminderAt = null;
      await condition(() => lifecycleOf(run) !== 'paused' || run.cancellations.length > 0);
      continue;
    }
    await nextReview(run);
  }

  Object.assign(run.status, { phase: 'ended', currentReview: null, nextReviewAt: null, nextReminderAt: null });
  await condition(allHandlersFinished);
  await sendCancellations(run);
}

/** The calendar cancellations of reviews skipped in advance, in the order they were skipped. */
async function sendCancellations(run: Run) {
  for (let next = run.cancellations[0]; next; next = run.cancellations[0]) {
    await steps().sendReviewCancellation({ partnershipId: run.partnershipId, ...next });
    run.cancellations.shift();
  }
}

/** Pause, resume and end. */
function handleLifecycle(run: Run) {
  setHandler(
    pauseUpdate,
    ({ reason, actor }) => {
      run.claimedLifecycle = 'paused';
      return run.serially(() => changeLifecycle(run, 'paused', { reason, actor }));
    },
    {
      validator: (_request) => {
        if (run.claimedLifecycle !== 'active') reject(`cannot pause a partnership that is ${run.claimedLifecycle}`);
      },
    },
  );
  setHandler(
    resumeUpdate,
    // Histories from before actors were passed sent no argument at all.
    (request: Acted | undefined) => {
      run.claimedLifecycle = 'active';
      return run.serially(() => changeLifecycle(run, 'active', { actor: request?.actor }));
    },
    {
      validator: (_request) => {
        if (run.claimedLifecycle !== 'paused') reject(`cannot resume a partnership that is ${run.claimedLifecycle}`);
      },
    },
  );
  setHandler(
    endUpdate,
    ({ outcome, reason, actor }) => {
      run.claimedLifecycle = outcome;
      return run.serially(() => changeLifecycle(run, outcome, { reason, actor }));
    },
    {
      validator: ({ outcome, reason }) => {
        if (hasEnded(run.claimedLifecycle)) reject(`the partnership has already ended (${run.claimedLifecycle})`);
        if (outcome === 'ended_early' && !reason?.trim()) reject('ending a partnership early needs a reason');
      },
    },
  );
}

/** A hand-over, a rescheduled review, a new recurrence. */
function handlePlanChanges(run: Run) {
  const { partnershipId } = run;
  // A roster change that sends mail; it changes nothing the loop waits on.
  setHandler(
    handOverUpdate,
    (request) => run.serially(async () => ({ handedOver: await activities.handOverWork({ ...request, partnershipId, at: Date.now() }) })),
    {
      validator: ({ fromId, toId }) => {
        if (hasEnded(run.claimedLifecycle)) reject('the partnership has ended');
        if (!fromId || !toId || fromId === toId) reject('hand work over from one member to another');
      },
    },
  );
  setHandler(
    rescheduleReviewUpdate,
    ({ reviewId, at, actor }) => {
      // Accepted while the next review was being planned: judged once the plan is known, even if
      // other updates queued before it run first.
      const judgedLater = run.planning;
      return run.serially(async () => {
        if (judgedLater) {
          await condition(() => !run.planning);
          if (run.current?.reviewId !== reviewId || run.outcomeClaimed) reject(`review ${reviewId} is not the upcoming review`);
        }
        await activities.rescheduleReview({ partnershipId, reviewId, at, actor });
        run.planVersion++;
        return run.status;
      });
    },
    {
      validator: ({ reviewId, at }) => {
        if (hasEnded(run.claimedLifecycle)) reject('the partnership has ended');
        if (run.claimedLifecycle === 'planning') reject(NOT_STARTED);
        // While the next review is being planned, its id is judged by the handler once the plan is known.
        if (run.outcomeClaimed || (!run.planning && run.current?.reviewId !== reviewId))
          reject(`review ${reviewId} is not the upcoming review`);
        if (!Number.isFinite(at) || at <= Date.now()) reject('a review cannot be rescheduled into the past');
      },
    },
  );
  setHandler(
    changeRecurrenceUpdate,
    (change) =>
      run.serially(async () => {
        await activities.changeRecurrence({ partnershipId, change, at: Date.now() });
        run.planVersion++;
        return run.status;
      }),
    {
      validator: ({ rrule, start }) => {
        if (hasEnded(run.claimedLifecycle)) reject('the partnership has ended');
        if (!rrule?.trim() || !start?.trim()) reject('a recurrence needs a rule and a start');
      },
    },
  );
}

/** The pledges of a held review each get their own workflow, which outlives this run. */
async function startPledges(outcome: ReviewOutcome) {
  if (outcome.outcome !== 'held') return;
  const starts = [
    ...(outcome.commitments ?? []).map(
      (c) => () =>
        startChild(commitmentWorkflow, {
          workflowId: commitmentWorkflowId(c.id),
          args: [{ commitmentId: c.id }],
          parentClosePolicy: ParentClosePolicy.ABANDON,
        }),
    ),
    ...(outcome.evidenceRequests ?? []).map(
      (e) => () =>
        startChild(evidenceRequestWorkflow, {
          workflowId: evidenceWorkflowId(e.id),
          args: [{ requestId: e.id }],
          parentClosePolicy: ParentClosePolicy.ABANDON,
        }),
    ),
  ];
  // Started together, the outcome waits for one round trip to the server, not one per pledge.
  if (starts.length > 1 && patched(PLEDGES_START_TOGETHER)) await Promise.all(starts.map((start) => start()));
  else for (const start of starts) await start();
}

/** Reflection runs on its own clock (two weeks) while the partnership moves on to its next review. */
const startReflections = (partnershipId: string, reviewId: string) =>
  startChild(reflectionWorkflow, {
    workflowId: reflectionWorkflowId(reviewId),
    args: [{ partnershipId, reviewId }],
    parentClosePolicy: ParentClosePolicy.ABANDON,
  });

/** A review's outcome: the upcoming review's, or a missed one's recorded late. */
function handleOutcomes(run: Run) {
  const { partnershipId } = run;
  setHandler(
    recordOutcomeUpdate,
    (outcome) => {
      const updateId = currentUpdateInfo()?.id;
      if (run.late && outcome.reviewId === run.late.reviewId) {
        const missed = run.late;
        missed.claimed = true;
        return run.serially(async () => {
          try {
            await outcomeSteps().recordReviewOutcome({ partnershipId, ...outcome, at: Date.now(), updateId });
          } catch (e) {
            missed.claimed = false;
            throw e;
          }
          await startPledges(outcome);
          if (outcome.outcome === 'held') await startReflections(partnershipId, outcome.reviewId);
          if (run.late === missed) run.late = null;
          return run.status;
        });
      }
      run.outcomeClaimed = true;
      // Accepted while the next review was being planned: judged once the plan is known, even if
      // other updates queued before it run first.
      const judgedLater = run.planning;
      return run.serially(async () => {
        if (judgedLater) {
          await condition(() => !run.planning);
          const refusal = outcomeRefusal(run, outcome);
          if (refusal) {
            run.outcomeClaimed = false;
            reject(refusal);
          }
        }
        const at = Date.now();
        // Everyone's calendar is told after the answer: the person waits for the record, not for each member's copy.
        const cancelLater = outcome.outcome === 'skipped' && patched(OUTCOME_ANSWERS_FIRST);
        try {
          await outcomeSteps().recordReviewOutcome({ partnershipId, ...outcome, at, updateId, ...(cancelLater && { cancelLater }) });
        } catch (e) {
          run.outcomeClaimed = false;
          throw e;
        }
        if (cancelLater) run.cancellations.push({ reviewId: outcome.reviewId, dueAt: at });
        run.answered = true;
        if (outcome.outcome === 'held') {
          run.heldReviewId = outcome.reviewId;
          await startPledges(outcome);
          // Held while paused: the loop waits for the resume and plans the next review, never
          // reaching the end of this one, where reflections start. They start now.
          if (lifecycleOf(run) === 'paused' && patched(REFLECT_WHEN_HELD_PAUSED)) {
            await startReflections(partnershipId, outcome.reviewId);
            run.heldReviewId = null;
          }
        }
        run.outcomeRecorded = true;
        return run.status;
      });
    },
    {
      validator: (outcome) => {
        const { late, current } = run;
        if (run.claimedLifecycle === 'planning') reject(NOT_STARTED);
        if (outcome.outcome === 'skipped' && !outcome.reason?.trim()) reject('skipping a review needs a reason');
        if (late && outcome.reviewId === late.reviewId) {
          if (late.claimed) reject(`review ${outcome.reviewId} is already recorded`);
          const next = current && current.reviewId !== late.reviewId ? current : null;
          if (next && Date.now() >= next.scheduledAt)
            reject(`the next review has begun: review ${outcome.reviewId} can no longer be recorded`);
          return;
        }
        if (run.outcomeClaimed) reject(`review ${outcome.reviewId} is not awaiting an outcome`);
        // Judged by the handler once the plan is known.
        if (run.planning) return;
        const refusal = outcomeRefusal(run, outcome);
        if (refusal) reject(refusal);
      },
    },
  );
}

/** Why the upcoming review cannot take this outcome now, if it cannot. */
function outcomeRefusal({ current }: Run, outcome: ReviewOutcome): string | null {
  if (current?.reviewId !== outcome.reviewId) return `review ${outcome.reviewId} is not awaiting an outcome`;
  if (outcome.outcome === 'held' && Date.now() < current.scheduledAt - HELD_EARLIEST_MS) {
    return 'a review cannot be recorded as held before it takes place';
  }
  return null;
}

/** Activation, which ends the planning phase. */
function handleActivation(run: Run) {
  setHandler(
    activateUpdate,
    async (request: Acted | undefined) => {
      run.claimedLifecycle = 'active';
      run.activatedBy = request?.actor;
      // Answers once the planning wait carried it out. Not queued behind other updates: an end
      // accepted right after it must not wait for an activation that the end makes moot.
      await condition(() => lifecycleOf(run) !== 'planning');
      return run.status;
    },
    {
      validator: (_request) => {
        if (run.claimedLifecycle !== 'planning') reject(`cannot activate a partnership that is ${run.claimedLifecycle}`);
      },
    },
  );
}

/**
 * Planning: members, goals and schedule are set, nothing is sent, until someone activates it or
 * its planned start comes. Ending it is allowed; pausing, outcomes and reschedules are not.
 */
async function inPlanning(run: Run, start: number | null) {
  // The run started in planning (see `startsAs`); an update that came with the first task has
  // already claimed its change, which the loop below carries out.
  run.status.phase = 'planning';
  const decided = () => run.claimedLifecycle !== 'planning';
  for (;;) {
    if (run.claimedLifecycle === 'planning') {
      const startsNow =
        start === null ? !(await condition(decided).then(() => true)) : !(await condition(decided, Math.max(0, start - Date.now())));
      if (startsNow) run.claimedLifecycle = 'active';
    }
    if (run.claimedLifecycle === 'active') break;
    // An end accepted meanwhile is carried out (then there is nothing to start), or given back.
    await condition(() => !isOpen(run) || run.claimedLifecycle === 'planning');
    if (!isOpen(run)) break;
  }
}

/** A planned end completes the partnership by itself, as an end update would, with its notice. */
function endAt(run: Run, plannedEnd: number) {
  const endAtPlannedEnd = async () => {
    await sleep(Math.max(0, plannedEnd - Date.now()));
    if (hasEnded(run.claimedLifecycle)) return;
    run.claimedLifecycle = 'completed';
    await run.serially(() => changeLifecycle(run, 'completed', { reason: 'its planned end' }));
  };
  // A refused end means the partnership ended otherwise meanwhile: nothing is left to do.
  void endAtPlannedEnd().catch(() => undefined);
}

/**
 * The next review, from its plan to its end: reminders, then its time, then the grace period for
 * its outcome (missed after it), then reflections if it was held. Returns early, to be planned
 * again, when an update changes the plan.
 */
async function nextReview(run: Run) {
  const { partnershipId, status } = run;
  const version = run.planVersion;
  // The claims are reset before the plan is asked for, so that an outcome accepted meanwhile keeps its claim.
  const outcomeMayCome = run.outcomeMayComeWhilePlanning;
  if (outcomeMayCome) {
    run.outcomeRecorded = false;
    run.outcomeClaimed = false;
    run.planning = true;
  }
  run.current = await steps().planNextReview(partnershipId, { now: Date.now() });
  if (outcomeMayCome) run.planning = false;
  else {
    run.outcomeRecorded = false;
    run.outcomeClaimed = false;
  }
  // An outcome may come early (a review skipped in advance): it ends the reminders too.
  const changed = () => run.planVersion !== version || run.outcomeRecorded;
  const plan = run.current;
  if (plan?.reviewId !== status.currentReview?.id) status.sentReminders = [];
  status.currentReview = plan && { id: plan.reviewId, sequence: plan.sequence, scheduledAt: plan.scheduledAt };
  status.nextReviewAt = plan?.scheduledAt ?? null;
  if (!plan) {
    status.phase = 'no-review-scheduled';
    await condition(changed);
    return;
  }

  // A reminder already past when the review was planned is skipped; one that fell due while
  // workers were down still goes out, late, as long as the review is still ahead.
  for (const reminder of plan.reminders.filter((r) => r.at >= plan.plannedAt)) {
    if (status.sentReminders.some((r) => r.index === reminder.index)) continue;
    status.phase = 'waiting-for-reminder';
    status.nextReminderAt = reminder.at;
    if (await condition(changed, Math.max(0, reminder.at - Date.now()))) break;
    if (Date.now() >= plan.scheduledAt) break;
    await steps().sendReviewReminder({ partnershipId, reviewId: plan.reviewId, reminderIndex: reminder.index, dueAt: reminder.at });
    status.sentReminders.push({ index: reminder.index, dueAt: reminder.at, sentAt: Date.now() });
  }
  status.nextReminderAt = null;
  if (!run.outcomeRecorded) {
    if (changed()) return;
    status.phase = 'waiting-for-review';
    let settled = await condition(changed, Math.max(0, plan.scheduledAt - Date.now()));
    if (!settled) {
      status.phase = 'waiting-for-outcome';
      settled = await condition(changed, Math.max(0, plan.outcomeDeadline - Date.now()));
    }
    // An outcome accepted as the grace period ran out is recorded, not overtaken by "missed".
    if (!settled && run.outcomeClaimed) settled = await condition(changed).then(() => true);
    if (settled && !run.outcomeRecorded) return;
    if (!settled) {
      await steps().markReviewMissed({ partnershipId, reviewId: plan.reviewId });
      if (patched(RECORD_MISSED_LATE)) run.late = { reviewId: plan.reviewId, claimed: false };
    }
  }
  if (run.heldReviewId === plan.reviewId) await startReflections(partnershipId, plan.reviewId);
  status.sentReminders = [];
}

import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  ParentClosePolicy,
  patched,
  setHandler,
  sleep,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { ReviewPlan } from '../../activities/reviews/activities.js';
import { activities, steps } from '../activities.js';
import { commitmentWorkflow } from '../deadlines/commitment.js';
import { evidenceRequestWorkflow } from '../deadlines/evidence.js';
import { commitmentWorkflowId, evidenceWorkflowId, reflectionWorkflowId } from '../ids.js';
import { oneAtATime } from '../one-at-a-time.js';
import { reflectionWorkflow } from '../reflections/reflection.js';
import {
  type Acted,
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

const NOT_STARTED = 'the partnership is still in planning: activate it first';

const reject = (message: string) => {
  throw ApplicationFailure.nonRetryable(message, 'InvalidTransition');
};

/**
 * One per partnership (`partnership:<id>`), for the partnership's whole life: plans each review
 * from the recurrence, reminds before it, waits for its outcome (missed after the grace period),
 * and reacts to pause, resume, end, reschedule and outcome updates, each validated first.
 */
export async function partnershipWorkflow({ partnershipId, carried, plan: begin }: PartnershipInput): Promise<void> {
  const status: PartnershipStatus = {
    phase: 'starting',
    lifecycle: carried?.lifecycle ?? 'active',
    currentReview: null,
    nextReviewAt: null,
    nextReminderAt: null,
    sentReminders: [],
  };
  setHandler(statusQuery, () => status);

  // Bumped by every update that changes the plan, so that waits end and the loop replans.
  let planVersion = 0;
  let current: ReviewPlan | null = null;
  let outcomeRecorded = false;
  let heldReviewId: string | null = null;
  // A review marked missed that may still be recorded, until the next review begins (the missed
  // notice's "record it late"). Histories from before this existed have no marker and no late review.
  let late: { reviewId: string; claimed: boolean } | null = null;
  const lifecycle = () => status.lifecycle as Lifecycle;
  const ended = () => lifecycle() === 'completed' || lifecycle() === 'ended_early';
  const open = () => !ended();

  // What accepted updates will make of the partnership once their work is done: validators judge
  // against these claims, taken before a handler's first await, so that of two updates sent at once
  // the second sees the first (see one-at-a-time.ts). The loop reads the settled state above.
  let claimedLifecycle: Lifecycle = lifecycle();
  let outcomeClaimed = false;
  const claimedEnded = () => claimedLifecycle === 'completed' || claimedLifecycle === 'ended_early';
  const serially = oneAtATime();
  // A change the database refused after all gives its claim back, so the next update is judged by what is.
  const settle = async (work: () => Promise<void>) => {
    try {
      await work();
    } catch (e) {
      claimedLifecycle = lifecycle();
      throw e;
    }
  };

  setHandler(
    pauseUpdate,
    ({ reason, actor }) => {
      claimedLifecycle = 'paused';
      return serially(async () => {
        await settle(() => activities.recordLifecycle(partnershipId, { to: 'paused', reason, at: Date.now(), actor }));
        status.lifecycle = 'paused';
        planVersion++;
        return status;
      });
    },
    {
      validator: (_request) => {
        if (claimedLifecycle !== 'active') reject(`cannot pause a partnership that is ${claimedLifecycle}`);
      },
    },
  );
  setHandler(
    resumeUpdate,
    (request: Acted | undefined) => {
      claimedLifecycle = 'active';
      return serially(async () => {
        // Histories from before actors were passed sent no argument at all.
        await settle(() => activities.recordLifecycle(partnershipId, { to: 'active', at: Date.now(), actor: request?.actor }));
        status.lifecycle = 'active';
        planVersion++;
        return status;
      });
    },
    {
      validator: (_request) => {
        if (claimedLifecycle !== 'paused') reject(`cannot resume a partnership that is ${claimedLifecycle}`);
      },
    },
  );
  setHandler(
    endUpdate,
    ({ outcome, reason, actor }) => {
      claimedLifecycle = outcome;
      return serially(async () => {
        await settle(() => activities.recordLifecycle(partnershipId, { to: outcome, reason, at: Date.now(), actor }));
        status.lifecycle = outcome;
        planVersion++;
        return status;
      });
    },
    {
      validator: ({ outcome, reason }) => {
        if (claimedEnded()) reject(`the partnership has already ended (${claimedLifecycle})`);
        if (outcome === 'ended_early' && !reason?.trim()) reject('ending a partnership early needs a reason');
      },
    },
  );
  // A roster change that sends mail; it changes nothing the loop waits on.
  setHandler(
    handOverUpdate,
    (request) => serially(async () => ({ handedOver: await activities.handOverWork({ ...request, partnershipId, at: Date.now() }) })),
    {
      validator: ({ fromId, toId }) => {
        if (claimedEnded()) reject('the partnership has ended');
        if (!fromId || !toId || fromId === toId) reject('hand work over from one member to another');
      },
    },
  );
  setHandler(
    rescheduleReviewUpdate,
    ({ reviewId, at, actor }) =>
      serially(async () => {
        await activities.rescheduleReview({ partnershipId, reviewId, at, actor });
        planVersion++;
        return status;
      }),
    {
      validator: ({ reviewId, at }) => {
        if (claimedEnded()) reject('the partnership has ended');
        if (claimedLifecycle === 'planning') reject(NOT_STARTED);
        if (current?.reviewId !== reviewId || outcomeClaimed) reject(`review ${reviewId} is not the upcoming review`);
        if (!Number.isFinite(at) || at <= Date.now()) reject('a review cannot be rescheduled into the past');
      },
    },
  );
  setHandler(
    changeRecurrenceUpdate,
    (change) =>
      serially(async () => {
        await activities.changeRecurrence({ partnershipId, change, at: Date.now() });
        planVersion++;
        return status;
      }),
    {
      validator: ({ rrule, start }) => {
        if (claimedEnded()) reject('the partnership has ended');
        if (!rrule?.trim() || !start?.trim()) reject('a recurrence needs a rule and a start');
      },
    },
  );
  /** The pledges of a held review each get their own workflow, which outlives this run. */
  const startPledges = async (outcome: ReviewOutcome) => {
    if (outcome.outcome !== 'held') return;
    for (const c of outcome.commitments ?? []) {
      await startChild(commitmentWorkflow, {
        workflowId: commitmentWorkflowId(c.id),
        args: [{ commitmentId: c.id }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
    }
    for (const e of outcome.evidenceRequests ?? []) {
      await startChild(evidenceRequestWorkflow, {
        workflowId: evidenceWorkflowId(e.id),
        args: [{ requestId: e.id }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
    }
  };
  const startReflections = (reviewId: string) =>
    // Reflection runs on its own clock (two weeks) while the partnership moves on to its next review.
    startChild(reflectionWorkflow, {
      workflowId: reflectionWorkflowId(reviewId),
      args: [{ partnershipId, reviewId }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
  setHandler(
    recordOutcomeUpdate,
    (outcome) => {
      if (late && outcome.reviewId === late.reviewId) {
        const missed = late;
        missed.claimed = true;
        return serially(async () => {
          try {
            await activities.recordReviewOutcome({ partnershipId, ...outcome, at: Date.now() });
          } catch (e) {
            missed.claimed = false;
            throw e;
          }
          await startPledges(outcome);
          if (outcome.outcome === 'held') await startReflections(outcome.reviewId);
          if (late === missed) late = null;
          return status;
        });
      }
      outcomeClaimed = true;
      return serially(async () => {
        try {
          await activities.recordReviewOutcome({ partnershipId, ...outcome, at: Date.now() });
        } catch (e) {
          outcomeClaimed = false;
          throw e;
        }
        if (outcome.outcome === 'held') {
          heldReviewId = outcome.reviewId;
          await startPledges(outcome);
          // Held while paused: the loop waits for the resume and plans the next review, never
          // reaching the end of this one, where reflections start. They start now.
          if (lifecycle() === 'paused' && patched(REFLECT_WHEN_HELD_PAUSED)) {
            await startReflections(outcome.reviewId);
            heldReviewId = null;
          }
        }
        outcomeRecorded = true;
        return status;
      });
    },
    {
      validator: (outcome) => {
        if (claimedLifecycle === 'planning') reject(NOT_STARTED);
        if (outcome.outcome === 'skipped' && !outcome.reason?.trim()) reject('skipping a review needs a reason');
        if (late && outcome.reviewId === late.reviewId) {
          if (late.claimed) reject(`review ${outcome.reviewId} is already recorded`);
          const next = current && current.reviewId !== late.reviewId ? current : null;
          if (next && Date.now() >= next.scheduledAt)
            reject(`the next review has begun: review ${outcome.reviewId} can no longer be recorded`);
          return;
        }
        if (current?.reviewId !== outcome.reviewId || outcomeClaimed) reject(`review ${outcome.reviewId} is not awaiting an outcome`);
        if (outcome.outcome === 'held' && Date.now() < (current?.scheduledAt ?? 0) - HELD_EARLIEST_MS) {
          reject('a review cannot be recorded as held before it takes place');
        }
      },
    },
  );

  // Planning: members, goals and schedule are set, nothing is sent, until someone activates it or
  // its planned start comes. Ending it is allowed; pausing, outcomes and reschedules are not.
  let activatedBy: Acted['actor'] | undefined;
  setHandler(
    activateUpdate,
    async (request: Acted | undefined) => {
      claimedLifecycle = 'active';
      activatedBy = request?.actor;
      // Answers once the planning wait below has carried it out. Not queued behind other updates: an
      // end accepted right after it must not wait for an activation that the end makes moot.
      await condition(() => lifecycle() !== 'planning');
      return status;
    },
    {
      validator: (_request) => {
        if (claimedLifecycle !== 'planning') reject(`cannot activate a partnership that is ${claimedLifecycle}`);
      },
    },
  );
  if (!carried && begin?.planning && patched(PLANNING)) {
    status.phase = 'planning';
    status.lifecycle = 'planning';
    claimedLifecycle = 'planning';
    const start = begin.plannedStart ?? null;
    const decided = () => claimedLifecycle !== 'planning';
    for (;;) {
      if (claimedLifecycle === 'planning') {
        const startsNow =
          start === null ? !(await condition(decided).then(() => true)) : !(await condition(decided, Math.max(0, start - Date.now())));
        if (startsNow) claimedLifecycle = 'active';
      }
      if (claimedLifecycle === 'active') break;
      // An end accepted meanwhile is carried out (then there is nothing to start), or given back.
      await condition(() => ended() || claimedLifecycle === 'planning');
      if (ended()) break;
    }
  }
  if (!carried && open()) {
    await steps().activatePartnership(partnershipId, activatedBy);
    if (lifecycle() === 'planning') status.lifecycle = 'active';
  }

  // A planned end completes the partnership by itself, as an end update would, with its notice.
  const plannedEnd = carried?.plannedEnd ?? begin?.plannedEnd ?? null;
  if (plannedEnd != null && open() && patched(PLANNED_END)) {
    const endAtPlannedEnd = async () => {
      await sleep(Math.max(0, plannedEnd - Date.now()));
      if (claimedEnded()) return;
      claimedLifecycle = 'completed';
      await serially(async () => {
        await settle(() => activities.recordLifecycle(partnershipId, { to: 'completed', reason: 'its planned end', at: Date.now() }));
        status.lifecycle = 'completed';
        planVersion++;
      });
    };
    // A refused end means the partnership ended otherwise meanwhile: nothing is left to do.
    void endAtPlannedEnd().catch(() => undefined);
  }

  while (open()) {
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      const next: CarriedState = { lifecycle: lifecycle() === 'paused' ? 'paused' : 'active', ...(plannedEnd != null && { plannedEnd }) };
      await continueAsNew<typeof partnershipWorkflow>({ partnershipId, carried: next });
    }
    if (lifecycle() === 'paused') {
      status.phase = 'paused';
      status.nextReminderAt = null;
      await condition(() => lifecycle() !== 'paused');
      continue;
    }

    const version = planVersion;
    current = await steps().planNextReview(partnershipId, { now: Date.now() });
    outcomeRecorded = false;
    outcomeClaimed = false;
    // An outcome may come early (a review skipped in advance): it ends the reminders too.
    const changed = () => planVersion !== version || outcomeRecorded;
    if (current?.reviewId !== status.currentReview?.id) status.sentReminders = [];
    status.currentReview = current && { id: current.reviewId, sequence: current.sequence, scheduledAt: current.scheduledAt };
    status.nextReviewAt = current?.scheduledAt ?? null;
    if (!current) {
      status.phase = 'no-review-scheduled';
      await condition(changed);
      continue;
    }

    // A reminder already past when the review was planned is skipped; one that fell due while
    // workers were down still goes out, late, as long as the review is still ahead.
    const plan = current;
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
    if (!outcomeRecorded) {
      if (changed()) continue;
      status.phase = 'waiting-for-review';
      let settled = await condition(changed, Math.max(0, plan.scheduledAt - Date.now()));
      if (!settled) {
        status.phase = 'waiting-for-outcome';
        settled = await condition(changed, Math.max(0, plan.outcomeDeadline - Date.now()));
      }
      // An outcome accepted as the grace period ran out is recorded, not overtaken by "missed".
      if (!settled && outcomeClaimed) settled = await condition(changed).then(() => true);
      if (settled && !outcomeRecorded) continue;
      if (!settled) {
        await steps().markReviewMissed({ partnershipId, reviewId: plan.reviewId });
        if (patched(RECORD_MISSED_LATE)) late = { reviewId: plan.reviewId, claimed: false };
      }
    }
    if (heldReviewId === plan.reviewId) await startReflections(plan.reviewId);
    status.sentReminders = [];
  }

  status.phase = 'ended';
  status.currentReview = null;
  status.nextReviewAt = null;
  status.nextReminderAt = null;
  await condition(allHandlersFinished);
}

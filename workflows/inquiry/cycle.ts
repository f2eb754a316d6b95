import {
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  patched,
  setHandler,
  startChild,
} from '@temporalio/workflow';
import { activities } from '../activities.js';
import { commitmentWorkflow } from '../deadlines/commitment.js';
import { rejectTransition as reject } from '../deadlines/deadline.js';
import { replanDeadlineSignal } from '../deadlines/messages.js';
import { commitmentWorkflowId, inquiryWorkflowId } from '../ids.js';
import { oneAtATime } from '../one-at-a-time.js';
import {
  DECISIONS,
  type InquiryCycleStatus,
  type InquiryPhase,
  inquiryStatusQuery,
  nextPhase,
  recordPhaseUpdate,
  reloadInquirySignal,
} from './messages.js';

/** Marks the histories in which a reload signalled while a phase opens is acted on. */
const RELOAD_DURING_OPEN = 'inquiry-reload-during-open';

/**
 * One per inquiry cycle (`inquiry:<id>`): plan, do, study, act, then the reflection that closes it.
 * Each phase, while under way, is a commitment of its owner with its own deadline workflow (its
 * reminders, overdue notice and escalation, its extensions, its pause and end). Recording a phase
 * closes that commitment and opens the next phase; the reflection closes the cycle, and when the
 * act phase decided to adapt, the next cycle starts.
 */
export async function inquiryCycleWorkflow({ cycleId }: { cycleId: string }): Promise<void> {
  // A cycle starts at its plan phase. The handlers are registered before the first await, so that a
  // record sent the moment the cycle started is handled, not refused for want of a handler.
  const state: InquiryCycleStatus = { status: 'open', phase: 'plan', nextCycleId: null };
  setHandler(inquiryStatusQuery, () => state);

  // The phase the next record must be for, claimed by an accepted record before its first await,
  // so that of two records sent at once the second is judged against the first.
  let expecting: InquiryPhase | null = state.phase;
  let claimed = false;
  let reloads = 0;
  // Opening a phase and recording one run one after the other, never interleaved.
  const serially = oneAtATime();

  setHandler(reloadInquirySignal, () => {
    reloads++;
  });
  setHandler(
    recordPhaseUpdate,
    (request) => {
      expecting = nextPhase(request.phase);
      claimed = true;
      return serially(async () => {
        let recorded: Awaited<ReturnType<typeof activities.recordInquiryPhase>>;
        try {
          recorded = await activities.recordInquiryPhase({ ...request, cycleId, at: Date.now() });
        } catch (e) {
          expecting = request.phase;
          throw e;
        }
        // Its commitment is done in the database: its workflow reads that and finishes.
        try {
          await getExternalWorkflowHandle(commitmentWorkflowId(recorded.phaseId)).signal(replanDeadlineSignal);
        } catch {
          // Its deadline workflow has already finished (it never started if the phase was recorded at once).
        }
        state.status = recorded.state.status;
        state.phase = recorded.state.phase;
        state.nextCycleId = recorded.nextCycleId;
        return state;
      });
    },
    {
      validator: (request) => {
        if (state.status !== 'open') reject(`the cycle is ${state.status}`);
        if (expecting === null) reject('the cycle is closing');
        if (request.phase !== expecting) reject(`the cycle is in its ${expecting} phase; ${request.phase} cannot be recorded now`);
        if (request.phase === 'act' && !DECISIONS.includes(request.decision)) reject('the act phase decides: adopt, adapt or abandon');
      },
    },
  );

  const loaded = await activities.loadInquiryCycle(cycleId);
  // What the database says, unless a record was accepted meanwhile (it is then the newer word).
  if (!claimed) {
    state.status = loaded.status;
    state.phase = loaded.phase;
    expecting = loaded.phase;
  }

  let opened: InquiryPhase | null = null;
  while (state.status === 'open' && state.phase) {
    const phase = state.phase;
    const before = reloads;
    if (opened !== phase) {
      opened = phase;
      await serially(async () => {
        const commitmentId = await activities.openInquiryPhase({ cycleId, phase });
        if (!commitmentId) return;
        await startChild(commitmentWorkflow, {
          workflowId: commitmentWorkflowId(commitmentId),
          args: [{ commitmentId }],
          parentClosePolicy: ParentClosePolicy.ABANDON,
        });
      });
    }
    // A reload signalled while the phase was opening (its partnership ended meanwhile) is not missed;
    // before the marker it was, and the cycle waited for one more.
    const seen = patched(RELOAD_DURING_OPEN) ? before : reloads;
    await condition(() => state.phase !== phase || state.status !== 'open' || reloads !== seen);
    if (reloads !== seen) {
      const now = await serially(() => activities.loadInquiryCycle(cycleId));
      if (now.status !== 'open') {
        state.status = now.status;
        state.phase = null;
      }
    }
  }
  if (state.nextCycleId) {
    await startChild(inquiryCycleWorkflow, {
      workflowId: inquiryWorkflowId(state.nextCycleId),
      args: [{ cycleId: state.nextCycleId }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
  }
  // Let the record that closed it answer before the workflow completes.
  await condition(allHandlersFinished);
}

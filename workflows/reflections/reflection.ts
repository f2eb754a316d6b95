import { condition, patched, setHandler } from '@temporalio/workflow';
import { activities } from '../activities.js';
import { partnershipResumedSignal, type ReflectionStatus, reflectionStatusQuery, reflectionSubmittedSignal } from './messages.js';

/** Marks the histories in which the window waits out a pause of its partnership (before, it closed on time whatever). */
const WAITS_OUT_PAUSES = 'reflection-waits-out-pauses';

/**
 * One per held review (`reflection:<reviewId>`): prompts every member to reflect, reminds those who
 * have not answered, closes the window and sends the leads a summary. Answers are written by the
 * API; the signal only lets the workflow stop reminding early.
 */
export async function reflectionWorkflow({ partnershipId, reviewId }: { partnershipId: string; reviewId: string }): Promise<void> {
  const answered = new Set<string>();
  const status: ReflectionStatus = { members: 0, answered: 0, closesAt: null, closed: false };
  setHandler(reflectionSubmittedSignal, ({ personId }) => {
    answered.add(personId);
    status.answered = answered.size;
  });
  setHandler(reflectionStatusQuery, () => status);
  // The window is frozen while its partnership is paused: the resume moves the close by the pause.
  let closesAt = 0;
  let resumes = 0;
  setHandler(partnershipResumedSignal, ({ pausedMs }) => {
    closesAt += Math.max(0, pausedMs);
    status.closesAt = closesAt;
    resumes++;
  });

  const plan = await activities.openReflections({ partnershipId, reviewId, now: Date.now() });
  for (const id of plan.answered) answered.add(id);
  status.members = plan.memberIds.length;
  status.answered = answered.size;
  closesAt = plan.closesAt;
  status.closesAt = closesAt;
  const everyoneAnswered = () => plan.memberIds.every((id) => answered.has(id));

  await activities.sendReflectionNotices({ reviewId, stage: 'prompt', dueAt: plan.openedAt, closesAt: plan.closesAt });
  for (const [i, at] of plan.reminders.entries()) {
    if (await condition(everyoneAnswered, Math.max(0, at - Date.now()))) break;
    await activities.sendReflectionNotices({ reviewId, stage: `reminder:${i + 1}`, dueAt: at, closesAt: plan.closesAt });
  }
  if (patched(WAITS_OUT_PAUSES)) {
    for (;;) {
      const seen = resumes;
      const moved = () => resumes !== seen;
      if (await condition(() => everyoneAnswered() || moved(), Math.max(0, closesAt - Date.now()))) {
        if (everyoneAnswered()) break;
        continue;
      }
      // Its time has come, but the partnership is paused: nobody is asked then, so the window waits
      // for the resume, which moves its close by the length of the pause.
      if (!(await activities.partnershipPaused(partnershipId))) break;
      await condition(() => everyoneAnswered() || moved());
      if (everyoneAnswered()) break;
    }
  } else {
    await condition(everyoneAnswered, Math.max(0, plan.closesAt - Date.now()));
  }
  await activities.closeReflections({ reviewId, at: Date.now() });
  status.closed = true;
}

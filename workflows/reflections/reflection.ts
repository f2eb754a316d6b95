import { condition, setHandler } from '@temporalio/workflow';
import { activities } from '../activities.js';
import { type ReflectionStatus, reflectionStatusQuery, reflectionSubmittedSignal } from './messages.js';

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

  const plan = await activities.openReflections({ partnershipId, reviewId, now: Date.now() });
  for (const id of plan.answered) answered.add(id);
  status.members = plan.memberIds.length;
  status.answered = answered.size;
  status.closesAt = plan.closesAt;
  const everyoneAnswered = () => plan.memberIds.every((id) => answered.has(id));

  await activities.sendReflectionNotices({ reviewId, stage: 'prompt', dueAt: plan.openedAt, closesAt: plan.closesAt });
  for (const [i, at] of plan.reminders.entries()) {
    if (await condition(everyoneAnswered, Math.max(0, at - Date.now()))) break;
    await activities.sendReflectionNotices({ reviewId, stage: `reminder:${i + 1}`, dueAt: at, closesAt: plan.closesAt });
  }
  await condition(everyoneAnswered, Math.max(0, plan.closesAt - Date.now()));
  await activities.closeReflections({ reviewId, at: Date.now() });
  status.closed = true;
}

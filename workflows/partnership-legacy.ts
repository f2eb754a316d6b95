import { sleep, workflowInfo } from '@temporalio/workflow';
import { activities, type PartnershipStatus } from './partnership-shared.js';

const { activatePartnership, planNextReview, sendReviewReminder } = activities;

/**
 * The partnership workflow as first released: one review, its reminders, then it ends. Kept
 * unchanged so that workflows started by that release replay (see the patch in partnership.ts).
 */
export async function firstReviewOnly(partnershipId: string, status: PartnershipStatus): Promise<void> {
  await activatePartnership(partnershipId);
  const plan = await planNextReview(partnershipId);
  if (!plan) {
    status.phase = 'no-review-scheduled';
    return;
  }
  status.nextReviewAt = plan.scheduledAt;

  // A reminder already past when the partnership was set up is skipped; one that fell due while
  // workers were down still goes out, late, as long as the review is still ahead.
  const plannedAt = workflowInfo().startTime.getTime();
  for (const reminder of plan.reminders.filter((r) => r.at >= plannedAt)) {
    status.phase = 'waiting-for-reminder';
    status.nextReminderAt = reminder.at;
    await sleep(Math.max(0, reminder.at - Date.now()));
    if (Date.now() >= plan.scheduledAt) break;
    await sendReviewReminder({ partnershipId, reviewId: plan.reviewId, reminderIndex: reminder.index, dueAt: reminder.at });
    status.sentReminders.push({ index: reminder.index, dueAt: reminder.at, sentAt: Date.now() });
  }
  status.phase = 'waiting-for-review';
  status.nextReminderAt = null;
  await sleep(Math.max(0, plan.scheduledAt - Date.now()));
}

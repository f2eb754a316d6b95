import { defineQuery, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

export interface PartnershipInput {
  partnershipId: string;
}

export interface PartnershipStatus {
  phase: 'starting' | 'waiting-for-reminder' | 'waiting-for-review' | 'no-review-scheduled';
  nextReviewAt: number | null;
  nextReminderAt: number | null;
  remindersSent: number;
}

export const statusQuery = defineQuery<PartnershipStatus>('status');

const { activatePartnership, planNextReview, sendReviewReminder } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/** One per partnership (`partnership:<id>`), for the partnership's whole life. */
export async function partnershipWorkflow({ partnershipId }: PartnershipInput): Promise<void> {
  const status: PartnershipStatus = { phase: 'starting', nextReviewAt: null, nextReminderAt: null, remindersSent: 0 };
  setHandler(statusQuery, () => status);

  await activatePartnership(partnershipId);
  const plan = await planNextReview(partnershipId);
  if (!plan) {
    status.phase = 'no-review-scheduled';
    return;
  }
  status.nextReviewAt = plan.scheduledAt;

  // Reminders whose time had already passed when the review was planned are not sent late.
  for (const reminder of plan.reminders.filter((r) => r.at >= Date.now())) {
    status.phase = 'waiting-for-reminder';
    status.nextReminderAt = reminder.at;
    await sleep(Math.max(0, reminder.at - Date.now()));
    await sendReviewReminder({ partnershipId, reviewId: plan.reviewId, reminderIndex: reminder.index, dueAt: reminder.at });
    status.remindersSent += 1;
  }
  status.phase = 'waiting-for-review';
  status.nextReminderAt = null;
  await sleep(Math.max(0, plan.scheduledAt - Date.now()));
}

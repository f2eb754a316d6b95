import { defineQuery, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

export interface PartnershipInput {
  partnershipId: string;
}

export interface PartnershipStatus {
  phase: 'starting' | 'waiting-for-reminder' | 'waiting-for-review' | 'no-review-scheduled';
  nextReviewAt: number | null;
  nextReminderAt: number | null;
  /** Workflow-clock times, so tests and operators see when each reminder actually went out. */
  sentReminders: { index: number; dueAt: number; sentAt: number }[];
}

export const statusQuery = defineQuery<PartnershipStatus>('status');

const { activatePartnership, planNextReview, sendReviewReminder } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/** One per partnership (`partnership:<id>`), for the partnership's whole life. */
export async function partnershipWorkflow({ partnershipId }: PartnershipInput): Promise<void> {
  const status: PartnershipStatus = { phase: 'starting', nextReviewAt: null, nextReminderAt: null, sentReminders: [] };
  setHandler(statusQuery, () => status);

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

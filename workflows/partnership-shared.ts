import { defineQuery, defineUpdate, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

export type Lifecycle = 'active' | 'paused' | 'completed' | 'ended_early';

export interface PartnershipStatus {
  phase: 'starting' | 'waiting-for-reminder' | 'waiting-for-review' | 'waiting-for-outcome' | 'paused' | 'no-review-scheduled' | 'ended';
  lifecycle?: Lifecycle;
  currentReview?: { id: string; sequence: number; scheduledAt: number } | null;
  nextReviewAt: number | null;
  nextReminderAt: number | null;
  /** Workflow-clock times, so tests and operators see when each reminder actually went out. */
  sentReminders: { index: number; dueAt: number; sentAt: number }[];
}

export type ReviewOutcome =
  | { reviewId: string; outcome: 'held'; notes?: string; decisions?: string[] }
  | { reviewId: string; outcome: 'skipped'; reason: string };

export interface EndRequest {
  outcome: 'completed' | 'ended_early';
  reason?: string;
}

export const statusQuery = defineQuery<PartnershipStatus>('status');
export const pauseUpdate = defineUpdate<PartnershipStatus, [{ reason?: string }]>('pause');
export const resumeUpdate = defineUpdate<PartnershipStatus, []>('resume');
export const endUpdate = defineUpdate<PartnershipStatus, [EndRequest]>('end');
export const rescheduleReviewUpdate = defineUpdate<PartnershipStatus, [{ reviewId: string; at: number }]>('rescheduleReview');
export const recordOutcomeUpdate = defineUpdate<PartnershipStatus, [ReviewOutcome]>('recordOutcome');

export const activities = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

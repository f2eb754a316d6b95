import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Acted } from '../actor.js';
import type { EvidenceKind } from '../deadlines/messages.js';

export type Lifecycle = 'planning' | 'active' | 'paused' | 'completed' | 'ended_early';

export interface PartnershipStatus {
  phase:
    | 'starting'
    | 'planning'
    | 'waiting-for-reminder'
    | 'waiting-for-review'
    | 'waiting-for-outcome'
    | 'paused'
    | 'no-review-scheduled'
    | 'ended';
  lifecycle?: Lifecycle;
  currentReview?: { id: string; sequence: number; scheduledAt: number } | null;
  nextReviewAt: number | null;
  nextReminderAt: number | null;
  /** Workflow-clock times, so tests and operators see when each reminder actually went out. */
  sentReminders: { index: number; dueAt: number; sentAt: number }[];
}

/** A deadline created with a held review; the API gives it its id, so that creating it is idempotent. */
export interface NewCommitment {
  id: string;
  ownerId: string;
  side: 'district' | 'partner' | 'shared';
  description: string;
  dueAt: number;
}

/** A review may be recorded as held from this long before it (the meeting may start early); skipped at any time. */
export const HELD_EARLIEST_MS = 6 * 60 * 60 * 1000;

export interface NewEvidenceRequest {
  id: string;
  ownerId: string;
  description: string;
  kinds: EvidenceKind[];
  dueAt: number;
}

export type ReviewOutcome = (
  | {
      reviewId: string;
      outcome: 'held';
      notes?: string;
      decisions?: string[];
      commitments?: NewCommitment[];
      evidenceRequests?: NewEvidenceRequest[];
    }
  | { reviewId: string; outcome: 'skipped'; reason: string }
) &
  Acted;

/** A new recurrence, already validated by the API (calendar maths stays out of workflow code). */
export interface RecurrenceChange extends Acted {
  rrule: string;
  start: string;
  blackouts?: { start: string; end: string; label?: string }[];
  /** Why, when it is not a new recurrence: e.g. its school calendar changed (the timeline says so). */
  reason?: string;
  /** What made the change: a new recurrence (by default) or the school calendar it shares. */
  cause?: 'recurrence' | 'school-calendar';
}

export interface EndRequest extends Acted {
  outcome: 'completed' | 'ended_early';
  reason?: string;
}

/** One member's open commitments and evidence requests handed to another; with `leaves`, the first leaves. */
export interface HandOver extends Acted {
  fromId: string;
  toId: string;
  reason?: string;
  leaves?: boolean;
}

export const statusQuery = defineQuery<PartnershipStatus>('status');
export const pauseUpdate = defineUpdate<PartnershipStatus, [{ reason?: string } & Acted]>('pause');
export const resumeUpdate = defineUpdate<PartnershipStatus, [Acted]>('resume');
export const activateUpdate = defineUpdate<PartnershipStatus, [Acted]>('activate');
export const handOverUpdate = defineUpdate<{ handedOver: number }, [HandOver]>('handOver');
export const endUpdate = defineUpdate<PartnershipStatus, [EndRequest]>('end');
export const rescheduleReviewUpdate = defineUpdate<PartnershipStatus, [{ reviewId: string; at: number } & Acted]>('rescheduleReview');
export const changeRecurrenceUpdate = defineUpdate<PartnershipStatus, [RecurrenceChange]>('changeRecurrence');
export const recordOutcomeUpdate = defineUpdate<PartnershipStatus, [ReviewOutcome]>('recordOutcome');

import type { Actor } from '../actor.js';
import type { HandOver, RecurrenceChange, ReviewOutcome } from './messages.js';

/**
 * What the partnership's workflow asks of the world, declared here by the workflow that calls it and
 * implemented in activities/reviews/ and activities/people/ (activities/index.ts must satisfy it; as
 * properties, not methods, so that a parameter's type is checked both ways). The workflow layer imports
 * nothing from activities/, so the layers never loop.
 */
export interface ReviewSteps {
  planNextReview: (partnershipId: string, opts?: { now: number }) => Promise<ReviewPlan | null>;
  sendReviewReminder: (input: ReminderInput) => Promise<ReminderResult>;
  /** With `cancelLater`, a skipped review's calendar cancellation is left to sendReviewCancellation. */
  recordReviewOutcome: (
    input: { partnershipId: string; at: number; cancelLater?: boolean; updateId?: string | undefined } & ReviewOutcome,
  ) => Promise<void>;
  /** The calendar cancellation of a review skipped in advance, to everyone invited; `dueAt` is when it was skipped. */
  sendReviewCancellation: (input: { partnershipId: string; reviewId: string; dueAt: number }) => Promise<void>;
  markReviewMissed: (input: { partnershipId: string; reviewId: string }) => Promise<void>;
  rescheduleReview: (input: { partnershipId: string; reviewId: string; at: number; actor?: Actor | undefined }) => Promise<void>;
  changeRecurrence: (input: { partnershipId: string; change: RecurrenceChange; at: number }) => Promise<void>;
  activatePartnership: (partnershipId: string, actor?: Actor | undefined) => Promise<void>;
  recordLifecycle: (partnershipId: string, change: LifecycleChange) => Promise<void>;
  /** Moves a departing member's open work to whom the hand-over names; returns how many items moved. */
  handOverWork: (input: HandOver & { partnershipId: string; at: number }) => Promise<number>;
}

export interface PlannedReminder {
  /** 1-based, in the order the reminders go out; part of each reminder's idempotency key. */
  index: number;
  at: number;
}

export interface ReviewPlan {
  reviewId: string;
  sequence: number;
  scheduledAt: number;
  reminders: PlannedReminder[];
  /** When the review was first planned: reminders due before then are not sent. */
  plannedAt: number;
  /** Until when an outcome may be recorded before the review counts as missed. */
  outcomeDeadline: number;
}

export interface ReminderInput {
  partnershipId: string;
  reviewId: string;
  reminderIndex: number;
  /** Workflow time at which the reminder was due. */
  dueAt: number;
}

export interface ReminderResult {
  messageKey: string;
  /** How many copies ended in each state, and how many members opted out of reminders. */
  copies: Partial<Record<string, number>>;
}

export interface LifecycleChange {
  to: 'active' | 'paused' | 'completed' | 'ended_early';
  reason?: string;
  /** Workflow time of the change. */
  at: number;
  actor?: Actor | undefined;
}

import { defineQuery, defineSignal } from '@temporalio/workflow';

export interface ReflectionStatus {
  members: number;
  answered: number;
  closesAt: number | null;
  closed: boolean;
}

export const reflectionSubmittedSignal = defineSignal<[{ personId: string }]>('reflectionSubmitted');
export const reflectionStatusQuery = defineQuery<ReflectionStatus>('status');
/** Sent by the partnership's resume: the window's close moves by the length of the pause. */
export const partnershipResumedSignal = defineSignal<[{ pausedMs: number }]>('partnershipResumed');

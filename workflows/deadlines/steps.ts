import type { Actor } from '../actor.js';
import type { DeadlinePlan, DeadlineStage, EvidenceItemInput } from './messages.js';

/** What a commitment's workflow asks of the world, implemented in activities/deadlines/ (see reviews/steps.ts). */
export interface CommitmentSteps {
  planCommitmentDeadline: (commitmentId: string) => Promise<DeadlinePlan>;
  notifyCommitment: (input: { commitmentId: string; stage: DeadlineStage; dueAt: number }) => Promise<void>;
  extendCommitment: (input: { commitmentId: string; dueAt: number; reason: string; actor?: Actor | undefined }) => Promise<void>;
  closeCommitment: (input: {
    commitmentId: string;
    status: 'done' | 'dropped';
    note?: string | undefined;
    at: number;
    actor?: Actor | undefined;
  }) => Promise<void>;
}

/** What an evidence request's workflow asks of the world, implemented in activities/deadlines/. */
export interface EvidenceSteps {
  planEvidenceDeadline: (requestId: string) => Promise<DeadlinePlan>;
  notifyEvidenceRequest: (input: { requestId: string; stage: DeadlineStage; dueAt: number }) => Promise<void>;
  extendEvidenceRequest: (input: { requestId: string; dueAt: number; reason: string; actor?: Actor | undefined }) => Promise<void>;
  submitEvidence: (input: { requestId: string; item: EvidenceItemInput; at: number }) => Promise<void>;
  addEvidenceItem: (input: { requestId: string; item: EvidenceItemInput; at: number }) => Promise<void>;
  waiveEvidenceRequest: (input: { requestId: string; reason: string; at: number; actor?: Actor | undefined }) => Promise<void>;
}

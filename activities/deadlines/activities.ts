import type { Actor } from '../../workflows/actor.js';
import type { DeadlinePlan, DeadlineStage, EvidenceItemInput } from '../../workflows/deadlines/messages.js';
import type { ActivityDeps } from '../deps.js';
import { createDeadlineOperations, storeItem } from './operations.js';

/** A commitment's deadline: its stages, the notices, and closing or extending it. */
export function createCommitmentActivities(deps: ActivityDeps) {
  const deadline = createDeadlineOperations(deps);
  return {
    planCommitmentDeadline: (commitmentId: string): Promise<DeadlinePlan> => deadline.plan('commitment', commitmentId),

    notifyCommitment: (input: { commitmentId: string; stage: DeadlineStage; dueAt: number }) =>
      deadline.notify('commitment', { id: input.commitmentId, stage: input.stage, dueAt: input.dueAt }),

    extendCommitment: (input: { commitmentId: string; dueAt: number; reason: string; actor?: Actor }) =>
      deadline.extend('commitment', { id: input.commitmentId, dueAt: input.dueAt, reason: input.reason, actor: input.actor }),

    closeCommitment: (input: { commitmentId: string; status: 'done' | 'dropped'; note?: string; at: number; actor?: Actor }) =>
      deadline.close('commitment', {
        id: input.commitmentId,
        status: input.status,
        at: input.at,
        note: input.note ?? null,
        actor: input.actor,
      }),
  };
}

/** An evidence request's deadline, and how it ends: submitted with a first item, or waived. */
export function createEvidenceActivities(deps: ActivityDeps) {
  const deadline = createDeadlineOperations(deps);
  return {
    planEvidenceDeadline: (requestId: string): Promise<DeadlinePlan> => deadline.plan('evidence', requestId),

    notifyEvidenceRequest: (input: { requestId: string; stage: DeadlineStage; dueAt: number }) =>
      deadline.notify('evidence', { id: input.requestId, stage: input.stage, dueAt: input.dueAt }),

    extendEvidenceRequest: (input: { requestId: string; dueAt: number; reason: string; actor?: Actor }) =>
      deadline.extend('evidence', { id: input.requestId, dueAt: input.dueAt, reason: input.reason, actor: input.actor }),

    submitEvidence: (input: { requestId: string; item: EvidenceItemInput; at: number }) =>
      deadline.close('evidence', {
        id: input.requestId,
        status: 'submitted',
        at: input.at,
        note: null,
        item: input.item,
        actor: input.item.actor,
      }),

    /** A further item for a request already submitted (the first one closed it). */
    async addEvidenceItem(input: { requestId: string; item: EvidenceItemInput; at: number }): Promise<void> {
      await storeItem(deps.db, input.requestId, input.item, new Date(input.at));
    },

    waiveEvidenceRequest: (input: { requestId: string; reason: string; at: number; actor?: Actor }) =>
      deadline.close('evidence', { id: input.requestId, status: 'waived', at: input.at, note: input.reason, actor: input.actor }),
  };
}

import type { UpdateDefinition } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Acted } from '../actor.js';

export type EvidenceKind = 'observation' | 'interview' | 'survey' | 'data_team_minutes' | 'student_achievement_data' | 'other';

/** Who an overdue deadline is escalated to (core/policy.ts, ESCALATION_ROLES, says who that is). */
export type EscalationTarget = 'leads' | 'sponsor';

export type DeadlineStage =
  | { kind: 'reminder'; index: number; at: number }
  | { kind: 'overdue'; at: number }
  | { kind: 'escalation'; to: EscalationTarget; at: number };

/** What a deadline's plan activity returns: the due time and the stages, computed in the partnership's zone. */
export interface DeadlinePlan {
  partnershipId: string;
  dueAt: number;
  status: string;
  stages: DeadlineStage[];
}

export interface DeadlineStatus<Closed extends string> {
  status: 'open' | 'overdue' | Closed;
  dueAt: number | null;
  nextStage: DeadlineStage | null;
  /** Workflow-clock times of the notices sent for the current due time. */
  notices: { stage: DeadlineStage; sentAt: number }[];
}

/** The deadline changed in the database (its partnership paused, resumed or ended): plan again from there. */
export const replanDeadlineSignal = defineSignal('replan');

const extendDeadlineUpdate = <S>(): UpdateDefinition<S, [{ dueAt: number; reason: string } & Acted]> => defineUpdate('extend');

export type CommitmentStatus = DeadlineStatus<'done' | 'dropped'>;

export const commitmentStatusQuery = defineQuery<CommitmentStatus>('status');
export const completeCommitmentUpdate = defineUpdate<CommitmentStatus, [{ note?: string } & Acted]>('complete');
export const dropCommitmentUpdate = defineUpdate<CommitmentStatus, [{ reason: string } & Acted]>('drop');
export const extendCommitmentUpdate = extendDeadlineUpdate<CommitmentStatus>();

/** One piece of evidence; the API gives it its id, so a retried submission stores it once. */
export interface EvidenceItemInput extends Acted {
  itemId: string;
  personId: string;
  kind: EvidenceKind;
  link?: string;
  text?: string;
  /** An uploaded file (evidence_file), stored before the item. */
  fileId?: string;
}

export type EvidenceStatus = DeadlineStatus<'submitted' | 'waived'>;

export const evidenceStatusQuery = defineQuery<EvidenceStatus>('status');
export const submitEvidenceUpdate = defineUpdate<EvidenceStatus, [EvidenceItemInput]>('submit');
export const waiveEvidenceUpdate = defineUpdate<EvidenceStatus, [{ reason: string } & Acted]>('waive');
export const extendEvidenceUpdate = extendDeadlineUpdate<EvidenceStatus>();

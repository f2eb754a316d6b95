import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Acted } from '../actor.js';

/** Plan, do, study, act, then the reflection that closes the cycle; in this order. */
export const INQUIRY_PHASES = ['plan', 'do', 'study', 'act', 'reflect'] as const;
export type InquiryPhase = (typeof INQUIRY_PHASES)[number];

/** The phase after this one; null after the reflection. */
export const nextPhase = (phase: InquiryPhase): InquiryPhase | null => INQUIRY_PHASES[INQUIRY_PHASES.indexOf(phase) + 1] ?? null;

export const DECISIONS = ['adopt', 'adapt', 'abandon'] as const;
export type Decision = (typeof DECISIONS)[number];

/** What each phase records (the API validates the fields; the workflow checks the decision it acts on). */
export type PhaseRecord =
  | { phase: 'plan'; question?: string; changeIdea: string; prediction: string; measures: string[] }
  | { phase: 'do'; notes: string }
  | { phase: 'study'; findings: string }
  | { phase: 'act'; decision: Decision; notes?: string }
  | { phase: 'reflect'; worked: string; didNot: string; improve: string };

export type RecordPhase = PhaseRecord & Acted;

export interface InquiryCycleStatus {
  status: 'open' | 'closed' | 'ended';
  /** The phase under way; null once the cycle is closed or ended. */
  phase: InquiryPhase | null;
  /** The cycle an "adapt" decision started, once it exists. */
  nextCycleId: string | null;
}

/** What the cycle's load activity reads from the database. */
export interface InquiryCycleState {
  status: 'open' | 'closed' | 'ended';
  phase: InquiryPhase | null;
}

export const inquiryStatusQuery = defineQuery<InquiryCycleStatus>('status');
export const recordPhaseUpdate = defineUpdate<InquiryCycleStatus, [RecordPhase]>('recordPhase');
/** The cycle changed in the database (its partnership ended): read it again. */
export const reloadInquirySignal = defineSignal('reload');

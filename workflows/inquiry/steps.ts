import type { InquiryCycleState, InquiryPhase, RecordPhase } from './messages.js';

/** What an inquiry cycle's workflow asks of the world, implemented in activities/inquiry/ (see reviews/steps.ts). */
export interface InquirySteps {
  loadInquiryCycle: (cycleId: string) => Promise<InquiryCycleState>;
  /** Puts the phase under way (its deadline a commitment, its owner told); the commitment's id, or null once the cycle moved on. */
  openInquiryPhase: (input: { cycleId: string; phase: InquiryPhase }) => Promise<string | null>;
  recordInquiryPhase: (input: RecordPhase & { cycleId: string; at: number }) => Promise<PhaseRecorded>;
  /** Sends the lessons a cohort shared in [from, until) to its members, once (by the month's key); false once the cohort is gone. */
  sendLessonDigest: (input: { cohortId: string; from: number; until: number }) => Promise<boolean>;
}

export interface PhaseRecorded {
  phaseId: string;
  /** The cycle after the record: the phase now under way (null once closed). */
  state: InquiryCycleState;
  /** The cycle an "adapt" decision started, with the reflection that closed this one. */
  nextCycleId: string | null;
}

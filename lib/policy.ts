/**
 * Every timing default in one place. A partnership overrides the review ones on its record
 * (reminder_offsets, outcome_grace); durations are ISO 8601, applied in the partnership's zone.
 */
export const DEFAULT_POLICY = {
  reviewReminders: ['P14D', 'P2D'],
  reviewOutcomeGrace: 'P2D',
  /** After a held review: each member is prompted, reminded after these delays, until the window closes. */
  reflectionReminders: ['P3D', 'P7D'],
  reflectionWindow: 'P14D',
  deadlineReminders: ['P7D', 'P1D'],
  /** After the due time: first the partnership leads, then the executive sponsor. */
  deadlineEscalations: [
    { after: 'P3D', to: 'leads' },
    { after: 'P10D', to: 'sponsor' },
  ],
} as const;

export type EscalationTarget = (typeof DEFAULT_POLICY.deadlineEscalations)[number]['to'];

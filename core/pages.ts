/**
 * The pages a message leads to, by what it asks of its reader (the web app serves them under the
 * same paths). Every copy links to one of these with a sign-in token for its recipient.
 */
export const pages = {
  home: () => '/',
  partnership: (partnershipId: string) => `/p/${partnershipId}`,
  /** The review: agenda, what is open, the last reflections; for leads, recording its outcome. */
  review: (partnershipId: string, reviewId: string) => `/p/${partnershipId}/reviews/${reviewId}`,
  /** The one-page summary for the board (and its PDF). */
  boardSummary: (partnershipId: string) => `/p/${partnershipId}/summary`,
  reflection: (partnershipId: string, reviewId: string) => `/p/${partnershipId}/reviews/${reviewId}/reflection`,
  commitment: (partnershipId: string, commitmentId: string) => `/p/${partnershipId}/commitments/${commitmentId}`,
  evidence: (partnershipId: string, requestId: string) => `/p/${partnershipId}/evidence/${requestId}`,
  /** An inquiry cycle: its phases, and the form of the one under way. */
  inquiryCycle: (partnershipId: string, cycleId: string) => `/p/${partnershipId}/inquiry/${cycleId}`,
  /** A cohort's shared lessons, by theme, searchable. */
  cohortLessons: (cohortId: string) => `/dashboard/cohorts/${cohortId}/lessons`,
  settings: () => '/settings',
  /** The webhook subscriptions a person keeps, with their deliveries. */
  webhooks: () => '/dashboard/webhooks',
  /** Where a link sent to a new address confirms it. */
  confirmAddress: () => '/settings/address',
};

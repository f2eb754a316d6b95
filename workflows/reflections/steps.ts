/** What a reflection window's workflow asks of the world, implemented in activities/reflections/ (see reviews/steps.ts). */
export interface ReflectionSteps {
  openReflections: (input: { partnershipId: string; reviewId: string; now: number }) => Promise<ReflectionPlan>;
  partnershipPaused: (partnershipId: string) => Promise<boolean>;
  sendReflectionNotices: (input: { reviewId: string; stage: string; dueAt: number; closesAt: number }) => Promise<number>;
  closeReflections: (input: { reviewId: string; at: number }) => Promise<void>;
}

export interface ReflectionPlan {
  memberIds: string[];
  /** Members who had already answered when the plan was made. */
  answered: string[];
  openedAt: number;
  reminders: number[];
  closesAt: number;
}

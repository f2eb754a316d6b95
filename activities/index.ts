import { createCommitmentActivities } from './commitments.js';
import type { ActivityDeps } from './deps.js';
import { createEvidenceActivities } from './evidence.js';
import { createMailActivities } from './mail.js';
import { createReflectionActivities } from './reflections.js';
import { createReviewActivities } from './reviews.js';

export type { CommitmentPlan } from './commitments.js';
export type { ActivityDeps } from './deps.js';
export type { EvidenceItemInput } from './evidence.js';
export type { ReflectionPlan } from './reflections.js';
export type { LifecycleChange, ReminderInput, ReminderResult, ReviewPlan } from './reviews.js';

/** Every activity the worker registers; workflows call them by these names. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createReviewActivities(deps),
    ...createReflectionActivities(deps),
    ...createCommitmentActivities(deps),
    ...createEvidenceActivities(deps),
    ...createMailActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;

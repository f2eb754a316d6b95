import type { Steps } from '../workflows/activities.js';
import { createCommentActivities } from './comments/activities.js';
import { createCommitmentActivities, createEvidenceActivities } from './deadlines/activities.js';
import type { ActivityDeps } from './deps.js';
import { createInquiryActivities } from './inquiry/activities.js';
import { createLessonActivities } from './inquiry/lessons.js';
import { createMailActivities } from './mail/activities.js';
import { createLifecycleActivities } from './partnerships/lifecycle.js';
import { createRosterActivities } from './people/roster.js';
import { createReflectionActivities } from './reflections/activities.js';
import { createReviewActivities } from './reviews/activities.js';
import { createWebhookActivities } from './webhooks/activities.js';

export type { ActivityDeps } from './deps.js';

/** Every activity the worker registers; workflows call them by these names, as workflows/activities.ts declares them. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createLifecycleActivities(deps),
    ...createReviewActivities(deps),
    ...createReflectionActivities(deps),
    ...createCommitmentActivities(deps),
    ...createEvidenceActivities(deps),
    ...createMailActivities(deps),
    ...createRosterActivities(deps),
    ...createInquiryActivities(deps),
    ...createLessonActivities(deps),
    ...createCommentActivities(deps),
    ...createWebhookActivities(deps),
  } satisfies Steps;
}

export type Activities = ReturnType<typeof createActivities>;

import type { ActivityDeps } from '../deps.js';
import { createLifecycleActivities } from './lifecycle.js';
import { createOutcomeActivities } from './outcomes.js';
import { createScheduleActivities } from './schedule.js';

/** A partnership's reviews: planning from the recurrence, reminders, outcomes, lifecycle changes. */
export function createReviewActivities(deps: ActivityDeps) {
  return { ...createLifecycleActivities(deps), ...createScheduleActivities(deps), ...createOutcomeActivities(deps) };
}

import type { ActivityDeps } from '../deps.js';
import { createOutcomeActivities } from './outcomes.js';
import { createScheduleActivities } from './schedule.js';

/** A partnership's reviews: planning from the recurrence, reminders, invitations, outcomes. */
export function createReviewActivities(deps: ActivityDeps) {
  return { ...createScheduleActivities(deps), ...createOutcomeActivities(deps) };
}

import { ValidationError } from '../../lib/errors.js';
import { nextReview, type ReviewSchedule, ScheduleError } from './recurrence.js';

/** Runs schedule maths on a recurrence from a request; what the maths refuses is a 400 on `recurrence`. */
export function planOrThrow<T>(plan: () => T): T {
  try {
    return plan();
  } catch (e) {
    if (!(e instanceof ScheduleError)) throw e;
    throw new ValidationError(`The recurrence is invalid: ${e.message}`, [{ path: 'recurrence', message: e.message }]);
  }
}

/** The first future review a recurrence gives, or a 400 that says why there is none. */
export function firstReviewOf(schedule: ReviewSchedule, now: number): number {
  const at = planOrThrow(() => nextReview(schedule, now)?.at);
  if (at === undefined) {
    throw new ValidationError('The recurrence gives no review in the future', [
      { path: 'recurrence', message: 'gives no review in the future' },
    ]);
  }
  return at;
}

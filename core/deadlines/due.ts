import { ValidationError } from '../../lib/errors.js';

/** Checks every due time of a request at once, so the caller sees all the bad fields together. */
export function assertFuture(dueTimes: { path: string; at: string }[], now: number) {
  const past = dueTimes.filter((d) => Date.parse(d.at) <= now);
  if (past.length > 0) {
    throw new ValidationError(
      'Due times must be in the future',
      past.map((d) => ({ path: d.path, message: 'must be in the future' })),
    );
  }
}

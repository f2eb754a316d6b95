import type { Caller } from '../lib/auth/api-keys.js';
import type { Db } from '../lib/db/client.js';
import { ConflictError, DependencyUnavailableError, NotFoundError, ValidationError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { nextReview, type ReviewSchedule, ScheduleError } from '../lib/schedule/recurrence.js';
import type { DeadlineStatus } from '../workflows/deadline.js';
import { partnershipScope } from './scope.js';

export type Partnership = Awaited<ReturnType<typeof loadPartnership>>;

/** The partnership with its members, if the caller may see it; 404 otherwise. */
export async function loadPartnership(db: Db, caller: Caller, id: string) {
  const partnership = await db.partnership.findFirst({
    where: { id, ...partnershipScope(caller) },
    include: { members: { include: { person: true } } },
  });
  if (!partnership) throw new NotFoundError(`Partnership ${id} does not exist`);
  return partnership;
}

/** A partnership the caller may see that can still take new commitments and evidence requests. */
export async function openPartnership(db: Db, caller: Caller, id: string): Promise<Partnership> {
  const partnership = await loadPartnership(db, caller, id);
  if (partnership.status === 'completed' || partnership.status === 'ended_early') {
    throw new ConflictError('The partnership has ended; it takes no new commitments or evidence requests');
  }
  return partnership;
}

/** The member with that email; `path` names the field for the error. */
export function memberByEmail(partnership: Partnership, email: string, path: string) {
  const member = partnership.members.find((m) => m.person.email === email);
  if (!member)
    throw new ValidationError(`${email} is not a member of the partnership`, [{ path, message: 'is not a member of this partnership' }]);
  return member.person;
}

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

/** Starts a deadline workflow inside the transaction that creates its row: if Temporal refuses, the row is rolled back. */
export async function startOrRollBack(logger: Logger, what: string, start: () => Promise<unknown>) {
  try {
    await start();
  } catch (e) {
    logger.error({ err: e }, `could not start the ${what} workflow`);
    throw new DependencyUnavailableError('The workflow engine is unavailable; nothing was saved, try again');
  }
}

export const extensionJson = (e: { fromDueAt: Date; toDueAt: Date; reason: string }) => ({
  from: e.fromDueAt.toISOString(),
  to: e.toDueAt.toISOString(),
  reason: e.reason,
});

export function liveDeadlineJson(live: DeadlineStatus<string> | null) {
  return (
    live && {
      status: live.status,
      nextNotice: live.nextStage && { ...live.nextStage, at: new Date(live.nextStage.at).toISOString() },
    }
  );
}

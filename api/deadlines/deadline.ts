import { DependencyUnavailableError, ValidationError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { DeadlineStatus } from '../../workflows/deadlines/messages.js';

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

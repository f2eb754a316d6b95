import { continueAsNew, sleep } from '@temporalio/workflow';
import { activities } from '../activities.js';

/** When a month's digest goes out: the first of the month at 14:00 UTC (the morning across the Americas). */
const HOUR_UTC = 14;

/** The first digest time strictly after `now`, and the one a month before it (where its lessons begin). */
export function digestWindow(now: number): { from: number; until: number } {
  const d = new Date(now);
  let until = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1, HOUR_UTC);
  if (until <= now) until = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1, HOUR_UTC);
  const u = new Date(until);
  return { from: Date.UTC(u.getUTCFullYear(), u.getUTCMonth() - 1, 1, HOUR_UTC), until };
}

/**
 * One per cohort (`lessons:<cohortId>`), from its first shared lesson on: each month, the lessons
 * its partnerships shared in the month before go to every member of the cohort in one message
 * (none that month, no message). Each month is a new run, so its history stays one month long.
 */
export async function lessonDigestWorkflow({ cohortId }: { cohortId: string }): Promise<void> {
  const { from, until } = digestWindow(Date.now());
  await sleep(until - Date.now());
  const cohortRemains = await activities.sendLessonDigest({ cohortId, from, until });
  if (!cohortRemains) return;
  await continueAsNew<typeof lessonDigestWorkflow>({ cohortId });
}

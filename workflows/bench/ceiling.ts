import { proxyActivities, sleep } from '@temporalio/workflow';

/**
 * For bench/quarter-burst.ts only (its own bundle and task queue; not in the product's
 * workflows/index.ts): a timer that fires at `at`, then one activity that does nothing. As many of
 * these as a burst has copies measure what the server and worker can fire at once: the ceiling a
 * burst of reminders is compared with.
 */
const { noop } = proxyActivities<{ noop(): Promise<number> }>({ startToCloseTimeout: '1 minute' });

export async function ceilingWorkflow({ at }: { at: number }): Promise<number> {
  await sleep(Math.max(0, at - Date.now()));
  return noop();
}

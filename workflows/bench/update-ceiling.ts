import { condition, defineUpdate, proxyLocalActivities, setHandler } from '@temporalio/workflow';

/**
 * For bench/api-load.ts only (its own bundle and task queue; not in the product's
 * workflows/index.ts): a workflow that stays open and answers one update after one local activity
 * that does nothing, as an outcome is answered once its local activity has recorded it. As many of
 * these as the outcome row has reviews, updated at 50 at once, measure what the server and worker
 * answer at best on this machine: the ceiling the outcome row is compared with.
 */
const { noop, started } = proxyLocalActivities<{ noop(): Promise<number>; started(): Promise<void> }>({ startToCloseTimeout: '1 minute' });

export const recordUpdate = defineUpdate<number>('record');

export async function updateCeilingWorkflow(): Promise<void> {
  setHandler(recordUpdate, () => noop());
  // Tells the bench that this workflow has run its first task and is cached.
  await started();
  // Open after the answer, as a partnership is: the worker keeps it cached like the real ones.
  await condition(() => false);
}

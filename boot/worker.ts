import type { Duration } from '@temporalio/common';
import { type NativeConnection, Worker } from '@temporalio/worker';
import { failureInterceptors } from '../activities/failures.js';
import { type ActivityDeps, createActivities } from '../activities/index.js';
import { workflowBundle } from '../lib/temporal/bundle.js';
import { tracingWorkerOptions } from '../lib/temporal/tracing.js';

export async function createWorker(opts: {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  shutdownGraceTime?: Duration;
  /**
   * Workflows kept in memory between their tasks. A partnership's workflow sleeps for weeks between
   * reminders, so keeping every one costs memory for nothing (the SDK's default scales with the heap:
   * about 2,300 here, 1.6 GiB at 10,000 open workflows); one evicted is replayed when it wakes.
   */
  maxCachedWorkflows?: number;
}): Promise<Worker> {
  const { sinks, activityInterceptors: tracingActivities } = tracingWorkerOptions();
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    workflowBundle: await workflowBundle(),
    activities: createActivities(opts.deps),
    // Each activity's span continues its workflow's trace (lib/temporal/tracing.ts).
    interceptors: { activity: [tracingActivities, failureInterceptors(opts.deps.db)] },
    sinks,
    ...(opts.shutdownGraceTime ? { shutdownGraceTime: opts.shutdownGraceTime } : {}),
    ...(opts.maxCachedWorkflows !== undefined && { maxCachedWorkflows: opts.maxCachedWorkflows }),
  });
}

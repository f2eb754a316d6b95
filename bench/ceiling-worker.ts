import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import { bundle } from '../lib/temporal/bundle.js';
import { tracingWorkerOptions } from '../lib/temporal/tracing.js';

/**
 * A running worker for a ceiling's no-op workflows (`workflows/bench/`), on their own task queue and
 * bundle, so that Tandem's own worker does not take their tasks.
 */
export async function startCeilingWorker(opts: {
  temporalAddress: string;
  taskQueue: string;
  /** The workflows' module, e.g. new URL('../workflows/bench/ceiling.ts', import.meta.url). */
  workflows: URL;
  activities: Record<string, (...args: never[]) => Promise<unknown>>;
}): Promise<{ stop(): Promise<void> }> {
  const connection = await NativeConnection.connect({ address: opts.temporalAddress });
  const worker = await Worker.create({
    connection,
    taskQueue: opts.taskQueue,
    workflowBundle: await bundle(fileURLToPath(opts.workflows)),
    // The bundle carries the product's tracing interceptors, whose spans go to this sink: a ceiling
    // pays for tracing as Tandem's workflows do (without it, each task logs an error).
    sinks: tracingWorkerOptions().sinks,
    activities: opts.activities,
  });
  const running = worker.run();
  return {
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

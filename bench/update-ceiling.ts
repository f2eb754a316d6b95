import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { startCeilingWorker } from './ceiling-worker.js';
import { percentile } from './database.js';
import type { LoadResult } from './load.js';

const QUEUE = 'bench-update-ceiling';

/**
 * What the Temporal server and a worker on this machine answer at best, the way an outcome is
 * answered: `count` open workflows (workflows/bench/update-ceiling.ts) each take one update, which
 * one local activity that does nothing answers, `connections` updates in flight at once, sent by the
 * Temporal client of the system's own process (no HTTP). The outcome row is compared with it.
 */
export async function updateCeiling(
  temporalAddress: string,
  client: Client,
  count: number,
  connections: number,
  /** Called once every workflow is started and cached, just before the first update. */
  beforeUpdates: () => Promise<void>,
): Promise<LoadResult> {
  let ready = 0;
  const worker = await startCeilingWorker({
    temporalAddress,
    taskQueue: QUEUE,
    workflows: new URL('../workflows/bench/update-ceiling.ts', import.meta.url),
    activities: {
      noop: async () => 0,
      started: async () => {
        ready++;
      },
    },
  });
  try {
    const round = randomUUID().slice(0, 8);
    const ids = Array.from({ length: count }, (_, i) => `update-ceiling-${round}-${i}`);
    for (let i = 0; i < count; i += 100) {
      await Promise.all(
        ids.slice(i, i + 100).map((workflowId) => client.workflow.start('updateCeilingWorkflow', { workflowId, taskQueue: QUEUE })),
      );
    }
    // Each workflow's first task done and cached before it is measured, as a partnership's is.
    const deadline = Date.now() + 5 * 60_000;
    while (ready < count) {
      if (Date.now() > deadline) throw new Error(`only ${ready} of ${count} ceiling workflows ran their first task within 5 minutes`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await beforeUpdates();
    const took: number[] = [];
    let next = 0;
    let errors = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: connections }, async () => {
        for (let id = ids[next++]; id !== undefined; id = ids[next++]) {
          const t0 = performance.now();
          try {
            await client.workflow.getHandle(id).executeUpdate('record');
            took.push(performance.now() - t0);
          } catch {
            errors++;
          }
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const sorted = took.sort((a, b) => a - b);
    const at = (q: number) => Math.round(percentile(sorted, q));
    return { requests: took.length, perSecond: took.length / seconds, p50: at(0.5), p99: at(0.99), non2xx: 0, errors, seconds };
  } finally {
    await worker.stop();
  }
}

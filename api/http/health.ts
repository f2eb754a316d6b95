import type { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { Router } from 'express';
import type { Db } from '../../lib/db/client.js';
import { describeError } from '../../lib/errors.js';
import type { Mailer } from '../../lib/mail/mailer.js';

export type Check = () => Promise<unknown>;

export interface HealthDeps {
  checks: Record<string, Check>;
  /** True once shutdown began: the process finishes what it has but takes nothing new. */
  draining: () => boolean;
}

async function probe(check: Check, timeoutMs: number) {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: 'up' as const, latencyMs: Math.round(performance.now() - started) };
  } catch (e) {
    return { status: 'down' as const, error: describeError(e) };
  } finally {
    clearTimeout(timer);
  }
}

export function dependencyChecks(deps: { db: Db; mailer: Mailer; temporal: Client | NativeConnection; namespace: string }) {
  return {
    database: () => deps.db.$queryRaw`SELECT 1`,
    temporal: () => deps.temporal.workflowService.describeNamespace({ namespace: deps.namespace }),
    mail: () => deps.mailer.verify(),
  } satisfies Record<string, Check>;
}

/**
 * `/health` reports every dependency (503 when one is down); `/ready` is the gate for load balancers
 * and container health checks: 200 only while everything is up and the process is not draining.
 */
export function healthRouter({ checks, draining }: HealthDeps) {
  const report = async () => {
    const names = Object.keys(checks);
    const results = await Promise.all(names.map((n) => probe(checks[n] as Check, 3000)));
    return { up: results.every((r) => r.status === 'up'), checks: Object.fromEntries(names.map((n, i) => [n, results[i]])) };
  };
  const router = Router();
  router.get('/health', async (_req, res) => {
    const { up, checks } = await report();
    res.status(up ? 200 : 503).json({ status: up ? 'up' : 'down', checks });
  });
  router.get('/ready', async (_req, res) => {
    if (draining()) {
      res.status(503).json({ status: 'draining' });
      return;
    }
    const { up, checks } = await report();
    res.status(up ? 200 : 503).json({ status: up ? 'ready' : 'not ready', checks });
  });
  return router;
}

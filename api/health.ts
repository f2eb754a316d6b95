import type { Client } from '@temporalio/client';
import { Router } from 'express';
import type { Db } from '../lib/db/client.js';
import type { Mailer } from '../lib/mail/mailer.js';

type Check = () => Promise<unknown>;

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
    return { status: 'down' as const, error: (e as Error).message.split('\n')[0] };
  } finally {
    clearTimeout(timer);
  }
}

export function healthRouter(deps: { db: Db; temporal: Client; mailer: Mailer; namespace: string }) {
  const checks: Record<string, Check> = {
    database: () => deps.db.$queryRaw`SELECT 1`,
    temporal: () => deps.temporal.workflowService.describeNamespace({ namespace: deps.namespace }),
    mail: () => deps.mailer.verify(),
  };
  const router = Router();
  router.get('/health', async (_req, res) => {
    const names = Object.keys(checks);
    const results = await Promise.all(names.map((n) => probe(checks[n] as Check, 3000)));
    const byName = Object.fromEntries(names.map((n, i) => [n, results[i]]));
    const up = results.every((r) => r.status === 'up');
    res.status(up ? 200 : 503).json({ status: up ? 'up' : 'down', checks: byName });
  });
  return router;
}

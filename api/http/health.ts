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
    mail: async () => {
      await deps.mailer.verify();
      await assertSendsGoThrough(deps.db);
    },
  } satisfies Record<string, Check>;
}

/**
 * A mail server can greet and still refuse every message (450, a full disk, a lost relay): mail is
 * failing when copies wait after a refused attempt and none has gone out since the oldest of them
 * was first tried.
 */
async function assertSendsGoThrough(db: Db) {
  const oldest = await db.emailOutbox.findFirst({
    where: { status: 'pending', attempts: { gt: 0 }, lastError: { not: null } },
    orderBy: { firstAttemptAt: 'asc' },
    select: { firstAttemptAt: true, lastError: true },
  });
  if (!oldest?.firstAttemptAt) return;
  const since = await db.emailOutbox.findFirst({ where: { sentAt: { gt: oldest.firstAttemptAt } }, select: { id: true } });
  if (!since) throw new Error(`messages are not going out since ${oldest.firstAttemptAt.toISOString()}: ${oldest.lastError}`);
}

/** What readiness waits for: the outbox retries mail by itself, so a mail server down does not take the API out. */
const READINESS = ['database', 'temporal'];

/**
 * `/health` reports every dependency (503 when one is down or, for mail, failing); `/ready` is the
 * gate for load balancers and container health checks: 200 while the database and Temporal answer
 * and the process is not draining (mail waits in the outbox when the mail server does not take it).
 */
export function healthRouter({ checks, draining }: HealthDeps) {
  const report = async (only?: string[]) => {
    const names = Object.keys(checks).filter((n) => !only || only.includes(n));
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
    const { up, checks } = await report(READINESS);
    res.status(up ? 200 : 503).json({ status: up ? 'ready' : 'not ready', checks });
  });
  return router;
}

import type { Client } from '@temporalio/client';
import pg from 'pg';
import { wakeWebhook } from '../../core/webhooks/subscriptions.js';
import type { Logger } from '../../lib/logger.js';

/**
 * The outbox's relay, in the worker process: deliveries are written with their events in whatever
 * transaction records them (core/events.ts), where no Temporal client is at hand; PostgreSQL
 * notifies at commit (a trigger on webhook_delivery), and this wakes the subscription's workflow.
 * A notification missed (the relay was down, its connection lost) is made up by a sweep at start
 * and every `sweepEveryMs`. Waking a workflow that already runs only signals it, so several
 * workers' relays may all wake it.
 */
export async function startWebhookRelay(opts: {
  databaseUrl: string;
  temporal: Client;
  taskQueue: string;
  logger: Logger;
  sweepEveryMs?: number;
}): Promise<{ stop(): Promise<void> }> {
  const { logger } = opts;
  const deps = { temporal: opts.temporal, taskQueue: opts.taskQueue };
  let stopped = false;
  let client: pg.Client | null = null;
  const inFlight = new Map<string, Promise<void>>();
  const again = new Set<string>();

  // One wake at a time per subscription; one that comes meanwhile is sent once after it.
  const wake = (subscriptionId: string) => {
    if (stopped) return;
    if (inFlight.has(subscriptionId)) {
      again.add(subscriptionId);
      return;
    }
    const p = wakeWebhook(deps, subscriptionId)
      .catch((err) => logger.warn({ err, subscriptionId }, 'could not wake a webhook subscription; the next sweep tries again'))
      .finally(() => {
        inFlight.delete(subscriptionId);
        if (again.delete(subscriptionId)) wake(subscriptionId);
      });
    inFlight.set(subscriptionId, p);
  };

  const sweep = async () => {
    if (stopped || !client) return;
    try {
      const { rows } = await client.query<{ id: string }>(
        // A delivery tried within the longest wait between tries (10 h) has a workflow retrying it:
        // waking that one every minute would only lengthen its history.
        `SELECT DISTINCT d.subscription_id AS id FROM webhook_delivery d
         JOIN webhook_subscription s ON s.id = d.subscription_id
         WHERE d.status = 'pending' AND s.status = 'active'
           AND NOT EXISTS (SELECT 1 FROM webhook_attempt a WHERE a.delivery_id = d.id AND a.at > now() - interval '11 hours')`,
      );
      for (const r of rows) wake(r.id);
    } catch (err) {
      logger.warn({ err }, 'webhook relay: the sweep failed; it runs again');
    }
  };

  const connect = async (): Promise<void> => {
    if (stopped) return;
    const c = new pg.Client({ connectionString: opts.databaseUrl });
    c.on('notification', (n) => {
      if (n.channel === 'tandem_webhooks' && n.payload) wake(n.payload);
    });
    c.on('error', (err) => logger.warn({ err }, 'webhook relay: lost its database connection; connecting again'));
    c.on('end', () => {
      if (client === c) client = null;
      if (!stopped) setTimeout(() => void connect().catch(() => {}), 5000).unref();
    });
    try {
      await c.connect();
      await c.query('LISTEN tandem_webhooks');
      client = c;
      await sweep();
    } catch (err) {
      logger.warn({ err }, 'webhook relay: could not listen; trying again in 5 s');
      c.removeAllListeners('end');
      await c.end().catch(() => {});
      if (!stopped) setTimeout(() => void connect().catch(() => {}), 5000).unref();
    }
  };

  await connect();
  const timer = setInterval(() => void sweep(), opts.sweepEveryMs ?? 60_000);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await Promise.allSettled(inFlight.values());
      await client?.end().catch(() => {});
    },
  };
}

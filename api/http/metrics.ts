import type { Db } from '../../lib/db/client.js';
import type { Metrics } from '../../lib/metrics.js';

/**
 * What an operator watches of Tandem's own state, read from PostgreSQL at each scrape: the outbox
 * (copies by status and template, the age of the oldest pending one) and the webhooks (deliveries
 * waiting, subscriptions paused). Both services export them: whichever is scraped tells the same.
 */
export function recordStateMetrics(metrics: Metrics, db: Db) {
  metrics.gauge('tandem_outbox_copies', 'Mail copies in the outbox, by status and template', ['status', 'template'], async (set) => {
    const rows = await db.emailOutbox.groupBy({ by: ['status', 'template'], _count: { _all: true } });
    for (const r of rows) set({ status: r.status, template: r.template }, r._count._all);
  });
  metrics.gauge('tandem_outbox_oldest_pending_seconds', 'Age of the oldest copy waiting to be sent (0 when none)', [], async (set) => {
    const oldest = await db.emailOutbox.findFirst({
      where: { status: 'pending' },
      orderBy: { createdAt: 'asc' },
      select: { createdAt: true },
    });
    set({}, oldest ? (Date.now() - oldest.createdAt.getTime()) / 1000 : 0);
  });
  metrics.gauge('tandem_webhook_deliveries_waiting', 'Webhook deliveries not yet delivered', [], async (set) => {
    set({}, await db.webhookDelivery.count({ where: { status: 'pending' } }));
  });
  metrics.gauge('tandem_webhook_subscriptions', 'Webhook subscriptions, by status', ['status'], async (set) => {
    const rows = await db.webhookSubscription.groupBy({ by: ['status'], _count: { _all: true } });
    for (const r of rows) set({ status: r.status }, r._count._all);
  });
}

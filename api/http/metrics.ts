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
  metrics.gauge(
    'tandem_outbox_oldest_pending_seconds',
    'How long the oldest copy waiting to be sent has been due (0 when none); a copy held for quiet hours or a digest waits from the end of its hold',
    [],
    async (set) => {
      const [row] = await db.$queryRaw<{ due: Date | null }[]>`
        SELECT min(GREATEST(created_at, COALESCE(send_after, created_at))) AS due FROM email_outbox WHERE status = 'pending'`;
      set({}, row?.due ? Math.max(0, (Date.now() - row.due.getTime()) / 1000) : 0);
    },
  );
  metrics.gauge('tandem_webhook_deliveries_waiting', 'Webhook deliveries not yet delivered', [], async (set) => {
    set({}, await db.webhookDelivery.count({ where: { status: 'pending' } }));
  });
  metrics.gauge('tandem_webhook_subscriptions', 'Webhook subscriptions, by status', ['status'], async (set) => {
    const rows = await db.webhookSubscription.groupBy({ by: ['status'], _count: { _all: true } });
    for (const r of rows) set({ status: r.status }, r._count._all);
  });
}

import type { RequestHandler } from 'express';
import { Counter, collectDefaultMetrics, Gauge, Histogram, type Metric, Registry } from 'prom-client';

/**
 * What happens in a process that an operator counts, whichever service it happens in: made once a
 * process (prom-client keeps one instrument a name) and served by every registry `createMetrics` makes.
 */
const events = {
  mailLateness: new Histogram({
    name: 'tandem_mail_lateness_seconds',
    help: 'From the moment a copy was due (a reminder, a deadline, a notice) to the moment the SMTP server accepted it, by template',
    labelNames: ['template'] as const,
    buckets: [1, 5, 15, 30, 60, 120, 300, 900, 3600, 21_600, 86_400],
    registers: [],
  }),
  signIns: new Counter({
    name: 'tandem_sign_ins_total',
    help: 'Sessions opened, by how: an emailed link, or a sign-in provider (OpenID Connect)',
    labelNames: ['method'] as const,
    registers: [],
  }),
  webhookAttempts: new Counter({
    name: 'tandem_webhook_attempts_total',
    help: 'Webhook deliveries tried, by outcome: delivered (a 2xx) or failed (anything else, no answer, a refused address)',
    labelNames: ['outcome'] as const,
    registers: [],
  }),
};

/** Records what happened; the code that does the thing calls these. */
export const observe = {
  /** A copy accepted by the SMTP server `latenessSeconds` after it was due. */
  mailSent: (template: string, latenessSeconds: number) => events.mailLateness.observe({ template }, Math.max(0, latenessSeconds)),
  signIn: (method: 'link' | 'provider') => events.signIns.inc({ method }),
  webhookAttempt: (outcome: 'delivered' | 'failed') => events.webhookAttempts.inc({ outcome }),
};

/**
 * The process's metrics in Prometheus' format (prom-client): Node's own (CPU, memory, event loop
 * lag, GC), HTTP requests by route and status, and the gauges each service adds, read at scrape time.
 * One registry a process; `GET /metrics` on the API and on the worker's health port serves it.
 */
export function createMetrics(service: 'api' | 'worker') {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'tandem_' });
  for (const metric of Object.values(events)) registry.registerMetric(metric as Metric);
  const requests = new Counter({
    name: 'tandem_http_requests_total',
    help: 'HTTP requests answered, by method, route (the pattern, not the address) and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'tandem_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return {
    registry,
    /** Counts every request once answered. The route is Express's pattern (/partnerships/:id): an address would give each id a series of its own. */
    http: ((req, res, next) => {
      const end = duration.startTimer();
      res.on('finish', () => {
        // A pattern route (a regular expression: the pages' catch-all for forms opened again) that
        // passed the request on did not answer it.
        const route = typeof req.route?.path === 'string' ? `${req.baseUrl}${req.route.path}` : 'unmatched';
        const labels = { method: req.method, route };
        end(labels);
        requests.inc({ ...labels, status: String(res.statusCode) });
      });
      next();
    }) as RequestHandler,
    /** A gauge whose values are read when Prometheus scrapes. */
    gauge<L extends string>(
      name: string,
      help: string,
      labelNames: readonly L[],
      read: (set: (labels: Record<L, string>, value: number) => void) => Promise<void>,
    ) {
      return new Gauge({
        name,
        help,
        labelNames,
        registers: [registry],
        async collect() {
          this.reset();
          await read((labels, value) => this.set(labels as never, value));
        },
      });
    },
    /** The `GET /metrics` handler. */
    handler: (async (_req, res, next) => {
      try {
        res.set('Content-Type', registry.contentType).send(await registry.metrics());
      } catch (e) {
        next(e);
      }
    }) as RequestHandler,
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

import { describe, expect, it } from 'vitest';
import { threeMembers, useApiStack } from '../support/api-stack.js';
import { waitFor } from '../support/mailbox.js';
import { metricSum, metricValue } from '../support/metrics.js';

/** `GET /metrics` on the API, in Prometheus' text format, as a scraper reads it. */
describe('metrics', () => {
  const stack = useApiStack('tandem-metrics');

  it('counts requests by route pattern and status, and tells the outbox and the webhooks, without a single id', async () => {
    const p = await stack.createPartnership('Metrics literacy', threeMembers('metrics.example'));
    for (let i = 0; i < 3; i++) expect((await stack.call(stack.adminKey, 'GET', `/partnerships/${p.id}`)).status).toBe(200);
    expect((await stack.call(stack.adminKey, 'GET', '/no/such/thing')).status).toBe(404);
    await waitFor(
      'the invitations in the outbox',
      async () => (await stack.database.db.emailOutbox.count({ where: { partnershipId: p.id } })) >= 3,
    );
    const res = await fetch(`${stack.baseUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(
      metricValue(text, 'tandem_http_requests_total', { method: 'GET', route: '/partnerships/:id', status: '200', service: 'api' }),
    ).toBe(3);
    expect(metricValue(text, 'tandem_http_requests_total', { method: 'POST', route: '/partnerships', status: '201' })).toBe(1);
    expect(metricValue(text, 'tandem_http_requests_total', { route: 'unmatched', status: '404' })).toBe(1);
    expect(metricValue(text, 'tandem_http_request_duration_seconds_count', { route: '/partnerships/:id' })).toBe(3);
    // Whatever status each copy has reached by now (pending, sending, sent), all three are counted.
    expect(metricSum(text, 'tandem_outbox_copies', { template: 'review-invitation' })).toBeGreaterThanOrEqual(3);
    expect(metricValue(text, 'tandem_outbox_oldest_pending_seconds', {})).toBeGreaterThanOrEqual(0);
    expect(metricValue(text, 'tandem_webhook_deliveries_waiting', {})).toBe(0);
    expect(text).toMatch(/^tandem_process_resident_memory_bytes\{service="api"\} \d+/m);
    // Routes are patterns: no partnership's id (nor anyone's address) becomes a label.
    expect(text).not.toContain(p.id);
    expect(text).not.toContain('metrics.example');
  });
});

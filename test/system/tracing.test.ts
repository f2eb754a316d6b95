import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../lib/auth/api-keys.js';
import { waitFor } from '../support/mailbox.js';
import type { RoleProcess } from '../support/role-process.js';
import { useRoleStack } from '../support/roles.js';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  service: string;
}

/**
 * A collector's side of OTLP over HTTP (JSON), in the test process: the spans the production roles
 * export when OTEL_EXPORTER_OTLP_ENDPOINT points here.
 */
async function startCollector() {
  const spans: OtlpSpan[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d.toString();
    });
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const data = JSON.parse(body) as {
          resourceSpans: Array<{
            resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
            scopeSpans: Array<{ spans: Array<Omit<OtlpSpan, 'service'>> }>;
          }>;
        };
        for (const rs of data.resourceSpans) {
          const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
          for (const ss of rs.scopeSpans) for (const s of ss.spans) spans.push({ ...s, service });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, spans, stop: () => new Promise((r) => server.close(r)) };
}

/**
 * One trace from a request to the SMTP server: the production roles, exporting to a collector by
 * OTLP, follow a partnership's creation from the API's request through the workflow it starts and
 * the activity that sends the invitations to each copy's SMTP send, in the caller's own trace; the
 * API's log line for the request carries its trace id.
 */
describe('traces from the request to the SMTP send', () => {
  const stack = useRoleStack('tracing');
  let collector: Awaited<ReturnType<typeof startCollector>>;
  let api: RoleProcess;

  beforeAll(async () => {
    collector = await startCollector();
    const exporting = {
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      // Exported every 200 ms rather than every 5 s.
      OTEL_BSP_SCHEDULE_DELAY: '200',
    };
    await stack.start('worker', exporting);
    api = await stack.start('api', exporting);
  });

  afterAll(async () => {
    await collector?.stop();
  });

  it('follows a partnership from POST /partnerships through its workflow to each invitation leaving by SMTP, in the caller’s trace', async () => {
    const key = (await createApiKey(stack.database.db, { name: 'tracing test', role: 'admin' })).secret;
    // The caller's own trace (a district's system, a load balancer): Tandem continues it.
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await fetch(`http://localhost:${api.port}/partnerships`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
      body: JSON.stringify({
        name: 'Traced numeracy',
        district: { name: 'Trace USD' },
        partner: { name: 'Trace Partners' },
        timeZone: 'America/Chicago',
        firstReviewAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
        members: [
          { name: 'Ana Ruiz', email: 'ana@trace.example', role: 'district_lead' },
          { name: 'Ben Ode', email: 'ben@trace.example', role: 'partner_lead' },
        ],
      }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    await waitFor('both invitations', async () => (await stack.mailbox.messages()).filter((m) => /invit/i.test(m.subject)).length === 2);

    const ours = () => collector.spans.filter((s) => s.traceId === traceId);
    const sends = await waitFor('the SMTP sends traced', async () => {
      const s = ours().filter((x) => x.name === 'smtp send');
      return s.length >= 2 && s;
    });
    const byId = new Map(ours().map((s) => [s.spanId, s]));
    const named = (service: string, name: string | RegExp) =>
      ours().filter((x) => x.service === service && (typeof name === 'string' ? x.name === name : name.test(x.name)));
    // The API continued the caller's span, and started the workflow inside its request's span.
    const [request] = named('tandem-api', 'POST /partnerships');
    expect(request?.parentSpanId).toBe('00f067aa0ba902b7');
    const [start] = named('tandem-api', 'StartWorkflow:partnershipWorkflow');
    expect(start?.parentSpanId).toBe(request?.spanId);
    // Each send's ancestry in the worker: SMTP, the activity that sent it, its start by the workflow.
    // The workflow's own span (RunWorkflow) is their common parent: it closes, and is exported, when
    // the workflow ends, which for a partnership is years later (Temporal's interceptors).
    const workflowSpans = new Set<string | undefined>();
    for (const send of sends) {
      const run = byId.get(send.parentSpanId ?? '');
      const scheduled = byId.get(run?.parentSpanId ?? '');
      expect([send.service, run?.name, scheduled?.name]).toEqual([
        'tandem-worker',
        expect.stringMatching(/^RunActivity:/),
        expect.stringMatching(/^StartActivity:/),
      ]);
      workflowSpans.add(scheduled?.parentSpanId);
    }
    expect(workflowSpans.size).toBe(1);
    expect(named('tandem-worker', /^StartActivity:/).every((x) => workflowSpans.has(x.parentSpanId))).toBe(true);
    // The request's log line carries the trace.
    const logged = api
      .lines()
      .find((l) => (l.req as { method?: string; url?: string } | undefined)?.url === '/partnerships' && l.msg === 'request completed');
    expect(logged).toMatchObject({ trace_id: traceId });
  });
});

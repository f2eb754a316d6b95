import { describe, expect, it, onTestFinished } from 'vitest';
import { apiRoutes } from '../../api/app.js';
import { createApiKey } from '../../lib/auth/api-keys.js';
import { type ApiResponse, type ApiStack, useApiStack } from '../support/api-stack.js';
import { waitFor } from '../support/mailbox.js';
import { HOUR } from '../support/time.js';

/**
 * The API when Temporal or PostgreSQL is down, each stopped for real: what needs the missing server
 * answers 503 problem+json saying which one (never a 500), writes nothing, and works again once the
 * server is back; /health names the error.
 */
const stack: ApiStack = useApiStack('tandem-deps-down', { ownPostgres: true });
const soon = (ms: number) => new Date(Date.now() + ms).toISOString();

interface Seeded {
  partnership: string;
  review: string;
  person: string;
  commitment: string;
  evidence: string;
  submitted: string;
}

async function seed(): Promise<Seeded> {
  const admin = stack.adminKey;
  const created = await stack.call<{ id: string; firstReview: { id: string } }>(admin, 'POST', '/partnerships', {
    name: 'Lakeside literacy',
    district: { name: 'Lakeside USD' },
    partner: { name: 'Center for School Change' },
    timeZone: 'America/Chicago',
    firstReviewAt: soon(HOUR),
    members: [
      { name: 'Ana Diaz', email: 'ana@lakeside.example', role: 'district_lead' },
      { name: 'Ben Ode', email: 'ben@center.example', role: 'partner_lead' },
    ],
  });
  expect(created.status, created.text).toBe(201);
  const partnership = created.json.id;
  await waitFor('the review to be planned', async () => {
    const live = await stack.call<{ currentReview: unknown }>(admin, 'GET', `/partnerships/${partnership}/live`);
    return live.json.currentReview;
  });
  const deadline = { ownerEmail: 'ana@lakeside.example', dueAt: soon(30 * 24 * HOUR) };
  const commitment = await stack.call<{ id: string }>(admin, 'POST', `/partnerships/${partnership}/commitments`, {
    ...deadline,
    side: 'district',
    description: 'Share the walkthrough tool',
  });
  const evidence = await stack.call<{ id: string }>(admin, 'POST', `/partnerships/${partnership}/evidence-requests`, {
    ...deadline,
    description: 'Observation notes',
    kinds: ['observation'],
  });
  // Ben's, submitted: sending it back starts its workflow again.
  const submitted = await stack.call<{ id: string }>(admin, 'POST', `/partnerships/${partnership}/evidence-requests`, {
    ...deadline,
    ownerEmail: 'ben@center.example',
    description: 'Survey results',
    kinds: ['survey'],
  });
  const item = await stack.call(admin, 'POST', `/evidence-requests/${submitted.json.id}/items`, { kind: 'survey', text: 'Results' });
  expect(item.status, item.text).toBe(201);
  // Their workflows have planned them (and told the owner), so nothing more is written on its own.
  await waitFor(
    'the owners to be told of all three',
    async () => (await stack.database.db.emailOutbox.count({ where: { template: { endsWith: '-assigned' } } })) === 3,
  );
  const person = await stack.call<{ items: { id: string }[] }>(admin, 'GET', '/people?email=ana@lakeside.example');
  return {
    partnership,
    review: created.json.firstReview.id,
    person: person.json.items[0]?.id as string,
    commitment: commitment.json.id,
    evidence: evidence.json.id,
    submitted: submitted.json.id,
  };
}

/** Every table's row count: what "nothing was written" is checked against. */
async function snapshot() {
  const rows = await stack.database.db.$queryRaw<{ table_name: string; n: bigint }[]>`
    SELECT table_name, (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I', table_name), false, true, '')))[1]::text::bigint AS n
    FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`;
  return Object.fromEntries(rows.map((r) => [r.table_name, Number(r.n)]));
}

/** The routes whose work is a workflow start, update or query, each with a request that would succeed. */
const needsTemporal = (s: Seeded): [string, string, unknown?][] => [
  [
    'POST',
    '/partnerships',
    {
      name: 'Hillcrest math',
      district: { name: 'Hillcrest USD' },
      partner: { name: 'Numeracy Partners' },
      timeZone: 'America/Denver',
      firstReviewAt: soon(30 * 24 * HOUR),
      members: [{ name: 'Cora Li', email: 'cora@hillcrest.example', role: 'district_lead' }],
    },
  ],
  ['GET', `/partnerships/${s.partnership}/live`],
  ['POST', `/partnerships/${s.partnership}/pause`, { reason: 'Winter' }],
  ['POST', `/partnerships/${s.partnership}/end`, { outcome: 'completed' }],
  ['POST', `/partnerships/${s.partnership}/recurrence`, { recurrence: { rrule: 'FREQ=MONTHLY;INTERVAL=3', start: '2027-03-02T15:30' } }],
  ['POST', `/partnerships/${s.partnership}/reviews/${s.review}/reschedule`, { at: soon(2 * HOUR) }],
  ['POST', `/partnerships/${s.partnership}/reviews/${s.review}/outcome`, { outcome: 'skipped', reason: 'Snow day' }],
  [
    'POST',
    `/partnerships/${s.partnership}/commitments`,
    { ownerEmail: 'ana@lakeside.example', side: 'district', description: 'More', dueAt: soon(40 * 24 * HOUR) },
  ],
  [
    'POST',
    `/partnerships/${s.partnership}/evidence-requests`,
    { ownerEmail: 'ana@lakeside.example', description: 'More', kinds: ['survey'], dueAt: soon(40 * 24 * HOUR) },
  ],
  ['POST', `/commitments/${s.commitment}/complete`, { note: 'Done' }],
  ['POST', `/commitments/${s.commitment}/extend`, { dueAt: soon(50 * 24 * HOUR), reason: 'Later' }],
  ['POST', `/commitments/${s.commitment}/drop`, { reason: 'No longer needed' }],
  ['POST', `/evidence-requests/${s.evidence}/items`, { kind: 'observation', text: 'Notes' }],
  ['POST', `/evidence-requests/${s.evidence}/waive`, { reason: 'Not needed' }],
  ['POST', `/evidence-requests/${s.evidence}/extend`, { dueAt: soon(50 * 24 * HOUR), reason: 'Later' }],
  // A comment that mentions someone starts the workflow that tells them.
  ['POST', `/partnerships/${s.partnership}/comments`, { on: 'commitment', subjectId: s.commitment, body: '@Ben Ode please look' }],
  [
    'POST',
    `/evidence-requests/${s.submitted}/review`,
    { verdict: 'sent_back', comment: 'Add the dates', dueAt: soon(9 * 24 * HOUR), onBehalfOf: s.person },
  ],
];

const expectUnavailable = (res: ApiResponse, what: RegExp) => {
  expect(res.status, res.text).toBe(503);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.json).toMatchObject({
    type: expect.stringMatching(/dependency-unavailable$/),
    status: 503,
    detail: expect.stringMatching(what),
  });
};

describe('the API with a dependency down', () => {
  let s: Seeded;

  it('answers 503 naming Temporal for what needs it, writes nothing, keeps serving the rest, and recovers', async () => {
    s = await seed();
    const before = await snapshot();
    await stack.dev.stop();
    // Temporal comes back whatever this test finds, for the next one to run on a whole stack.
    onTestFinished(async () => {
      if (!stack.dev.alive()) await stack.restartTemporal();
    });

    const health = await stack.call<{ checks: Record<string, { status: string; error?: string }> }>(null, 'GET', '/health');
    expect(health.status).toBe(503);
    expect(health.json.checks.database?.status).toBe('up');
    expect(health.json.checks.temporal).toMatchObject({ status: 'down', error: expect.stringMatching(/\S/) });

    // Side by side: each waits out the client's few retries before it answers.
    const answers = await Promise.all(needsTemporal(s).map(([method, path, body]) => stack.call(stack.adminKey, method, path, body)));
    for (const res of answers) expectUnavailable(res, /Temporal|workflow engine|workflow of this partnership/);
    expect(await snapshot()).toEqual(before);

    // What the database alone answers still works: the record with what comes next, lists, reports.
    const detail = await stack.call<{ id: string; next: { review: { id: string } | null } }>(
      stack.adminKey,
      'GET',
      `/partnerships/${s.partnership}`,
    );
    expect([detail.status, detail.json.next.review?.id]).toEqual([200, s.review]);
    for (const path of ['/partnerships', '/reports/overdue-commitments', `/partnerships/${s.partnership}/timeline`, '/outbox']) {
      expect((await stack.call(stack.adminKey, 'GET', path)).status, path).toBe(200);
    }

    await stack.restartTemporal();
    await waitFor('Temporal to answer', async () => (await stack.call(null, 'GET', '/health')).status === 200);
    const paused = await stack.call(stack.adminKey, 'POST', `/partnerships/${s.partnership}/pause`, { reason: 'Winter' });
    expect(paused.status, paused.text).toBe(200);
    const resumed = await stack.call(stack.adminKey, 'POST', `/partnerships/${s.partnership}/resume`);
    expect(resumed.status, resumed.text).toBe(200);
  });

  it('answers 503 naming the database on every route that reads it, and recovers', async () => {
    // Ana is signed in (a real session, from a real link) before the database goes.
    const token = await stack.auth.mintSignInToken('ana@lakeside.example');
    const signedIn = await stack.auth.auth.api.magicLinkVerify({
      query: { token, callbackURL: '/' },
      headers: new Headers(),
      asResponse: true,
    });
    const cookie = signedIn.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    expect(cookie).toContain('session_token');
    // A key first used once the database is down: an API remembers a live key for a few seconds
    // (lib/auth/api-keys.ts), and a request it need not look up may be answered without the database.
    const { secret: key } = await createApiKey(stack.database.db, { name: 'first used with the database down', role: 'admin' });
    await (stack.postgres as NonNullable<ApiStack['postgres']>).stop();

    const health = await stack.call<{ checks: Record<string, { status: string; error?: string }> }>(null, 'GET', '/health');
    expect(health.status).toBe(503);
    expect(health.json.checks.database).toMatchObject({
      status: 'down',
      error: expect.stringMatching(/reach database server|ECONNREFUSED|connect ENOENT .*\.s\.PGSQL\.\d+$/),
    });

    const fill = (path: string) =>
      path
        .replace(':reviewId', s.review)
        .replace(':personId', s.person)
        .replace(':token', '00000000-0000-0000-0000-000000000000')
        .replace(':file', `tdmcal_${'0'.repeat(43)}.ics`)
        .replace(':id', s.partnership);
    const routes = apiRoutes({ mailCaptureDir: stack.mailCaptureDir });
    for (const r of routes) {
      const res = await stack.call(key, r.method.toUpperCase(), fill(r.path), r.method === 'get' ? undefined : {});
      expectUnavailable(res, /database/);
    }
    // The contract itself needs no database.
    expect((await stack.call(null, 'GET', '/openapi.json')).status).toBe(200);
    // A person's browser gets a page saying so, with a way back, not JSON.
    for (const path of ['/', `/p/${s.partnership}`, '/dashboard']) {
      const page = await fetch(`${stack.baseUrl}${path}`, { headers: { accept: 'text/html', cookie }, redirect: 'manual' });
      expect([path, page.status, page.headers.get('content-type')]).toEqual([path, 503, 'text/html; charset=utf-8']);
      expect(await page.text()).toMatch(/cannot be reached; nothing was changed|unavailable/);
    }
    // Readiness leaves the mail server out (the outbox waits for it), liveness reports everything.
    expect((await stack.call(null, 'GET', '/ready')).status).toBe(503);

    await (stack.postgres as NonNullable<ApiStack['postgres']>).start();
    let said = '';
    await waitFor('the database to answer', async () => {
      const res = await stack.call(null, 'GET', '/health');
      said = res.text;
      return res.status === 200;
    }).catch((e: Error) => {
      throw new Error(`${e.message}; /health last said ${said}`);
    });
    const listed = await stack.call<{ items: unknown[] }>(stack.adminKey, 'GET', '/partnerships');
    expect([listed.status, listed.json.items.length]).toEqual([200, 1]);
  });
});

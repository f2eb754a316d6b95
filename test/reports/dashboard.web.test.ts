import path from 'node:path';
import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ApiStack, useApiStack } from '../support/api-stack.js';
import { useBrowser } from '../support/browser.js';
import { DAY } from '../support/time.js';
import { expectAccessible, mailTo, signIn } from '../support/web.js';

/**
 * The dashboard, as each role sees it: a coordinator their cohort, a participant their own
 * partnership, the installation's admin everything; the health of each by the rules on the page;
 * filters and sorting by a plain form; the same rows as CSV.
 */
const stack: ApiStack = useApiStack('tandem-web-dashboard');
const email = (who: string) => `${who}@dashboard.example`;

async function partnership(name: string, cohortId: string | null, participant: string) {
  const res = await stack.call<{ id: string; firstReview: { id: string } }>(stack.adminKey, 'POST', '/partnerships', {
    name,
    district: { name: `${name} USD` },
    partner: { name: 'Northwind Learning' },
    ...(cohortId && { cohortId }),
    timeZone: 'America/Chicago',
    firstReviewAt: new Date(Date.now() + 10 * DAY).toISOString(),
    members: [
      { name: `Lead of ${name}`, email: email(`lead.${name.toLowerCase()}`), role: 'district_lead' },
      { name: participant, email: email(participant.toLowerCase()), role: 'participant' },
    ],
  });
  expect(res.status, res.text).toBe(201);
  return res.json.id;
}

/** The rows of the dashboard table: name and health label. */
const rows = async (page: Page) =>
  page
    .locator('table.dashboard tbody tr')
    .evaluateAll((trs) =>
      trs.map((tr) => [tr.querySelector('th a')?.textContent?.trim(), tr.querySelector('td .badge')?.textContent?.trim()]),
    );

describe('the dashboard, for each role', () => {
  const browser = useBrowser();
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    const db = stack.database.db;
    const cohortA = await db.cohort.create({ data: { name: 'Valley literacy cohort' } });
    const cohortB = await db.cohort.create({ data: { name: 'Coast math cohort' } });
    const alder = await partnership('Alder', cohortA.id, 'Pat');
    const birch = await partnership('Birch', cohortA.id, 'Quinn');
    Object.assign(ids, { cohortA: cohortA.id, birch });
    await partnership('Cypress', cohortB.id, 'Rae');
    // Birch's work, as its deadline workflow leaves it: a commitment 20 days overdue.
    const owner = await db.person.findUniqueOrThrow({ where: { email: email('quinn') } });
    await db.commitment.create({
      data: {
        partnershipId: birch,
        ownerId: owner.id,
        side: 'district',
        description: 'Share walkthrough data',
        dueAt: new Date(Date.now() - 20 * DAY),
        status: 'overdue',
      },
    });
    // Alder's first review was missed, as its partnership workflow records it.
    await db.review.updateMany({
      where: { partnershipId: alder },
      data: { status: 'missed', scheduledAt: new Date(Date.now() - 3 * DAY) },
    });
    const coordinator = await db.person.create({ data: { name: 'Cora Lin', email: email('cora') } });
    await db.cohortCoordinator.create({ data: { personId: coordinator.id, cohortId: cohortA.id } });
    await db.person.create({ data: { name: 'Ada Admin', email: email('ada'), isAdmin: true } });
  });

  it("shows a coordinator their cohort's partnerships, worst first, with why, and nothing of another cohort", async () => {
    const { context, page } = await signIn(stack, browser, email('cora'));
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.waitForURL(`${stack.publicUrl}/dashboard`);
    expect(await rows(page)).toEqual([
      ['Birch', 'At risk'],
      ['Alder', 'Needs attention'],
    ]);
    expect(await page.locator('tr', { hasText: 'Birch' }).textContent()).toMatch(/more than 14 days overdue/);
    expect(await page.getByText('Cypress').count()).toBe(0);
    await expect.poll(() => page.locator('#rules').count()).toBe(1);
    expect(await page.locator('section[aria-labelledby="rules"]').textContent()).toMatch(
      /At risk\s*when 2 or more of its last 4 reviews were missed/,
    );
    await expectAccessible(page);

    // Filtering and sorting are a plain GET form.
    await page.getByRole('combobox', { name: 'Health' }).selectOption('needs_attention');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/health=needs_attention/);
    expect(await rows(page)).toEqual([['Alder', 'Needs attention']]);
    await page.getByRole('combobox', { name: 'Health' }).selectOption('');
    await page.getByRole('combobox', { name: 'Sort by' }).selectOption('name');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/sort=name/);
    expect((await rows(page)).map((r) => r[0])).toEqual(['Alder', 'Birch']);

    // The same rows as CSV, as the browser downloads it.
    const csv = await page.evaluate(async (url) => {
      const res = await fetch(url);
      return { type: res.headers.get('content-type'), text: await res.text() };
    }, `${stack.publicUrl}/dashboard.csv?sort=name`);
    expect(csv.type).toMatch(/^text\/csv/);
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toMatch(/^partnership,district,partner,cohort,status,health,/);
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 6))).toEqual([
      ['Alder', 'Alder USD', 'Northwind Learning', 'Valley literacy cohort', 'active', 'needs_attention'],
      ['Birch', 'Birch USD', 'Northwind Learning', 'Valley literacy cohort', 'active', 'at_risk'],
    ]);
    // Every overdue commitment of the cohort, as CSV.
    const overdue = await page.evaluate(async (url) => (await fetch(url)).text(), `${stack.publicUrl}/dashboard/overdue.csv`);
    const [header, ...rest] = overdue.trim().split('\n');
    expect(header).toBe('partnership,description,side,owner,owner_email,due_local,time_zone,days_overdue,status,commitment_id');
    expect(rest.map((l) => l.split(',').slice(0, 4))).toEqual([['Birch', 'Share walkthrough data', 'district', 'Quinn']]);
    await context.close();
  });

  it("shows a coordinator the month's reviews of their cohort, to download and subscribe to in a calendar app", async () => {
    const db = stack.database.db;
    const review = await db.review.findFirstOrThrow({ where: { partnershipId: ids.birch, status: 'scheduled' } });
    const local = DateTime.fromJSDate(review.scheduledAt, { zone: 'America/Chicago' });
    const { page } = await signIn(stack, browser, email('cora'));
    await page.goto(`${stack.publicUrl}/dashboard/calendar?cohort=${ids.cohortA}&month=${local.toFormat('yyyy-LL')}`);
    expect(await page.locator('h1').textContent()).toBe(`Reviews in ${local.toFormat('LLLL yyyy')}`);
    const cell = page.locator('table.month td', { has: page.locator('.day', { hasText: new RegExp(`^${local.day}$`) }) });
    expect(await cell.textContent()).toContain(`${local.toFormat('h:mm a')} Birch #1`);
    expect(await page.getByText('Cypress').count()).toBe(0);
    await expectAccessible(page);
    await cell.getByRole('link', { name: /Birch #1/ }).click();
    await page.waitForURL(`${stack.publicUrl}/p/${ids.birch}/reviews/${review.id}`);
    await page.goBack();

    // The cohort's reviews as a calendar app reads them: every event links to its page.
    const ics = await page.evaluate(
      async (url) => (await fetch(url)).text(),
      `${stack.publicUrl}/dashboard/calendar.ics?cohort=${ids.cohortA}`,
    );
    const events = new ICAL.Component(ICAL.parse(ics)).getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    expect(events.map((e) => e.summary).sort()).toEqual(['Partnership review #1: Alder', 'Partnership review #1: Birch']);
    const birchEvent = events.find((e) => e.summary.endsWith('Birch'));
    expect(String(birchEvent?.component.getFirstPropertyValue('url'))).toBe(`${stack.publicUrl}/p/${ids.birch}/reviews/${review.id}`);

    // A subscription address, for a calendar app that signs in as nobody.
    await page.getByRole('button', { name: 'Make a subscription address' }).click();
    // Shown once, after a redirect: reloading the page makes no second address.
    await page.waitForURL(`${stack.publicUrl}/dashboard/calendar?cohort=${ids.cohortA}`);
    const address = /Subscribe your calendar app to (\S+)/.exec((await page.locator('.flash').textContent()) ?? '')?.[1] ?? '';
    expect(address).toMatch(/\/calendar\/tdmcal_[A-Za-z0-9_-]{43}\.ics$/);
    const subscribed = await fetch(address.replace(stack.publicUrl, stack.baseUrl));
    expect(subscribed.status).toBe(200);
    const feed = await subscribed.text();
    expect(feed).toContain('Birch');
    expect(feed).not.toContain('Cypress');
  });

  it('shows a participant only the partnership they belong to', async () => {
    const { context, page } = await signIn(stack, browser, email('rae'));
    await page.goto(`${stack.publicUrl}/dashboard`);
    expect(await rows(page)).toEqual([['Cypress', 'On track']]);
    await context.close();
  });

  it("lets a coordinator change a partnership's roster from its page, and someone leave with their work handed over", async () => {
    const { context, page } = await signIn(stack, browser, email('cora'));
    await page.goto(`${stack.publicUrl}/dashboard`);
    await page.getByRole('link', { name: 'Birch' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Birch');
    const add = page.getByRole('form', { name: 'Add a member' });
    await add.getByLabel('Name').fill('Dee Park');
    await add.getByLabel('Email address').fill('not an address');
    // The browser's own check is left out, as a phone's keyboard or an old browser may not make it.
    await add.evaluate((f) => f.setAttribute('novalidate', ''));
    await add.getByRole('button', { name: 'Add the member' }).click();
    await expect.poll(() => page.locator('.errors').first().textContent()).toMatch(/Enter an email address/);
    expect(await stack.database.db.person.count({ where: { name: 'Dee Park' } })).toBe(0);
    await expectAccessible(page);
    await page.getByRole('form', { name: 'Add a member' }).getByLabel('Email address').fill(email('dee'));
    await page.getByRole('form', { name: 'Add a member' }).getByRole('button', { name: 'Add the member' }).click();
    await expect.poll(() => page.locator('.flash').textContent()).toMatch(/The member is added/);

    // Quinn leaves: the overdue commitment becomes Dee's, and both are told.
    await page.getByText("Change Quinn's role, or let them leave").click();
    const leaves = page.getByRole('form', { name: 'Quinn leaves' });
    await leaves.getByLabel('Hand their open commitments and evidence requests to').selectOption({ label: 'Dee Park' });
    await leaves.getByLabel('Reason (optional)').fill('moved to another school');
    await leaves.getByRole('button', { name: 'Hand over and remove Quinn' }).click();
    await expect.poll(() => page.locator('.flash').textContent()).toMatch(/handed over, and they have left/);
    const db = stack.database.db;
    const dee = await db.person.findUniqueOrThrow({ where: { email: email('dee') } });
    expect((await db.commitment.findFirstOrThrow({ where: { description: 'Share walkthrough data' } })).ownerId).toBe(dee.id);
    for (const to of [email('dee'), email('quinn')]) await mailTo(stack, to, /^Quinn's open work in Birch is now Dee Park's/);
    await context.close();

    // A participant sees the members, and no form to change them; the dashboard offers nothing they may not start (the catalog is theirs to apply from).
    const participant = await signIn(stack, browser, email('dee'));
    await participant.page.goto(`${stack.publicUrl}/dashboard`);
    const offered = await participant.page.locator('nav[aria-label="Start"] a').allTextContents();
    expect(offered).toEqual(['Cohorts', 'Catalog of partners', 'Calendar of reviews']);
    await participant.page.getByRole('link', { name: 'Birch' }).click();
    await expect.poll(() => participant.page.locator('h1').textContent()).toBe('Birch');
    expect(await participant.page.getByRole('form', { name: 'Add a member' }).count()).toBe(0);
    await participant.context.close();
  });

  it("shows the installation's admin every partnership, and each row leads to its page", async () => {
    const { context, page } = await signIn(stack, browser, email('ada'));
    await page.goto(`${stack.publicUrl}/dashboard?sort=name`);
    expect((await rows(page)).map((r) => r[0])).toEqual(['Alder', 'Birch', 'Cypress']);
    await page.getByRole('link', { name: 'Birch' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Birch');

    // A cohort and its coordinator, made from the web (on a fresh install the only way used to be the API).
    await page.goto(`${stack.publicUrl}/dashboard`);
    await page.getByRole('link', { name: 'Cohorts' }).click();
    await expectAccessible(page);
    await page.getByRole('form', { name: 'New cohort' }).getByLabel('Name').fill('Harbor science cohort');
    await page.getByRole('button', { name: 'Make the cohort' }).click();
    await expect.poll(() => page.locator('.flash').textContent()).toMatch(/Harbor science cohort is made/);
    // The same name again is named as the mistake, on the form.
    await page.getByRole('form', { name: 'New cohort' }).getByLabel('Name').fill('Harbor science cohort');
    await page.getByRole('button', { name: 'Make the cohort' }).click();
    await expect.poll(() => page.locator('.errors').textContent()).toMatch(/already exists/);
    await page.getByText('Add a coordinator to Harbor science cohort').click();
    const add = page.getByRole('form', { name: 'Add a coordinator to Harbor science cohort' });
    await add.getByLabel('Name').fill('Hana Ito');
    await add.getByLabel('Email address').fill(email('hana'));
    await add.getByRole('button', { name: 'Make them a coordinator' }).click();
    await expect.poll(() => page.locator('.flash').textContent()).toMatch(/Hana Ito coordinates the cohort/);
    const db = stack.database.db;
    const cohort = await db.cohort.findUniqueOrThrow({
      where: { name: 'Harbor science cohort' },
      include: { coordinators: { include: { person: true } } },
    });
    expect(cohort.coordinators.map((c) => c.person.email)).toEqual([email('hana')]);
    expect(
      (await db.auditEvent.findMany({ where: { action: { in: ['cohort.created', 'coordinator.granted'] } } })).map((a) => [
        a.action,
        a.actorName,
      ]),
    ).toEqual([
      ['cohort.created', 'Ada Admin'],
      ['coordinator.granted', 'Ada Admin'],
    ]);
    await context.close();

    // The new coordinator's import page offers the cohort; a participant's cohorts page offers no form.
    const hana = await signIn(stack, browser, email('hana'));
    await hana.page.goto(`${stack.publicUrl}/dashboard/import`);
    expect(await hana.page.getByLabel('Cohort').locator('option').allTextContents()).toContain('Harbor science cohort');
    await hana.context.close();
    const rae = await signIn(stack, browser, email('rae'));
    await rae.page.goto(`${stack.publicUrl}/dashboard/cohorts`);
    expect(await rae.page.locator('form[method="post"]').count()).toBe(1); // signing out
    await rae.context.close();
  });

  it('shows the reports as pages and as CSV with the filters of the API, and the charts, within what the reader may see', async () => {
    const { context, page } = await signIn(stack, browser, email('cora'));
    await page.goto(`${stack.publicUrl}/dashboard`);
    await page.getByRole('link', { name: 'upcoming reviews' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Upcoming reviews');
    await expectAccessible(page);
    const cells = () =>
      page.locator('table.dashboard tbody tr').evaluateAll((trs) => trs.map((tr) => tr.querySelector('td a')?.textContent));
    expect(await cells()).toEqual(['Birch']);
    await page.getByRole('combobox', { name: 'Within' }).selectOption('30');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/days=30/);
    const csv = await page.evaluate(
      async (url) => (await fetch(url)).text(),
      `${stack.publicUrl}/dashboard/reports/upcoming-reviews.csv?days=30`,
    );
    const [header, ...rows] = csv.trim().split('\n');
    expect(header).toBe('partnership,review,when');
    expect(rows.map((r) => r.split(',')[0])).toEqual(['Birch']);

    await page.goto(`${stack.publicUrl}/dashboard/reports/overdue-commitments`);
    expect(await cells()).toEqual(['Birch']);
    expect(await page.locator('table.dashboard tbody').textContent()).toContain('Share walkthrough data');
    await expectAccessible(page);
    await page.goto(`${stack.publicUrl}/dashboard/reports/evidence-status?status=waived`);
    expect(await page.locator('.empty').textContent()).toBe('Nothing to report.');
    await expectAccessible(page);
    // A filter the API refuses is refused here too.
    const bad = await page.goto(`${stack.publicUrl}/dashboard/reports/upcoming-reviews?days=0`);
    expect(bad?.status()).toBe(400);
    expect((await page.goto(`${stack.publicUrl}/dashboard/reports/nothing-such`))?.status()).toBe(404);

    // The charts: drawn on the server as images, each with its figures in a table (same sign-in:
    // an address gets five links a quarter-hour).
    await page.goto(`${stack.publicUrl}/dashboard`);
    await page.getByRole('link', { name: 'charts' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Charts');
    await expectAccessible(page);
    // Birch's commitment, 20 days overdue but pledged today: overdue at the end of this week only.
    const weeks = await page
      .locator('section[aria-labelledby="chart-overdue"] tbody tr')
      .evaluateAll((trs) => trs.map((tr) => Number(tr.querySelectorAll('td')[1]?.textContent)));
    expect(weeks).toEqual([...Array(11).fill(0), 1]);
    for (const img of await page.locator('img.chart').all()) {
      const alt = await img.getAttribute('alt');
      expect(alt, 'every chart says what it shows').toMatch(/chart/);
      const res = await page.evaluate(
        async (url) => {
          const r = await fetch(url);
          return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
        },
        `${stack.publicUrl}${await img.getAttribute('src')}`,
      );
      expect([res.status, res.type]).toEqual([200, 'image/svg+xml; charset=utf-8']);
      expect(res.text).toMatch(/^<svg /);
      // Drawn: the browser loaded it as an image.
      expect(await img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    }
    await context.close();
  });

  it("lets a coordinator create their cohort's partnerships from a CSV file: checked first, every mistake named, then all at once", async () => {
    const fixtures = path.resolve(import.meta.dirname, '../fixtures');
    const { context, page } = await signIn(stack, browser, email('cora'));
    await page.goto(`${stack.publicUrl}/dashboard`);
    await page.getByRole('link', { name: 'Create partnerships from a file' }).click();
    await expectAccessible(page);
    await page.getByLabel('The CSV file').setInputFiles(path.join(fixtures, 'cohort-partnerships-bad.csv'));
    await page.getByRole('button', { name: 'Check the file' }).click();
    await expect
      .poll(() => page.locator('#mistakes').textContent())
      .toMatch(/cohort-partnerships-bad\.csv: \d+ mistakes, nothing was created/);
    const mistakes = await page.locator('section[aria-labelledby="mistakes"] li').allTextContents();
    expect(mistakes.some((m) => m === 'line 3, first_review_at: must be in the future')).toBe(true);
    expect(mistakes.some((m) => m.startsWith('line 2, time_zone'))).toBe(true);
    // In plain words: no library's wording ("Invalid option: expected one of ...").
    expect(mistakes.filter((m) => /Invalid|expected|Maximum iterations/.test(m))).toEqual([]);
    await expectAccessible(page);
    expect(await stack.database.db.partnership.count({ where: { cohortId: ids.cohortA } })).toBe(2);

    await page.getByLabel('The CSV file').setInputFiles(path.join(fixtures, 'cohort-partnerships.csv'));
    await page.getByRole('button', { name: 'Check the file' }).click();
    await expect.poll(() => page.locator('#result').textContent()).toBe('Every row is right: 2 partnerships would be created');
    expect(await stack.database.db.partnership.count({ where: { cohortId: ids.cohortA } })).toBe(2);
    // The file checked is the file created: no second upload.
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Create these 2 partnerships' }).click();
    await expect.poll(() => page.locator('#result').textContent()).toBe('2 partnerships created');
    await page.getByRole('link', { name: 'Aspen literacy' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Aspen literacy');
    expect(await stack.database.db.partnership.count({ where: { cohortId: ids.cohortA } })).toBe(4);
    await context.close();
  });
});

import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { createAdmin } from '../../core/people/identity.js';
import { type ApiStack, useApiStack } from '../support/api-stack.js';
import { useBrowser } from '../support/browser.js';
import { DAY } from '../support/time.js';
import { expectAccessible, signIn } from '../support/web.js';

/**
 * A catalog of partners by pathway: a district or a cohort curates partner organizations with the
 * pathways each offers; a team applies to one; the catalog's keepers accept (the partnership begins
 * in planning, with its checklist) or decline, once. Another tenant, bad input, a pathway not
 * offered or two decisions at once change nothing more than one decision.
 */
const stack: ApiStack = useApiStack('tandem-catalog');
const soon = (days: number) => new Date(Date.now() + days * DAY).toISOString();

const entry = { partner: { name: 'Reading Partners' }, pathways: ['pilot', 'whole_school'], description: 'Tutoring in K-3 reading' };
const application = {
  team: 'Lincoln Elementary literacy team',
  goals: 'Every third grader reads at grade level',
  pathway: 'pilot',
  contactName: 'Lena Ruiz',
  contactEmail: 'lena@lincoln.example',
};

describe('a catalog of partners (API)', () => {
  it('is kept by its district, applied to by a team, and an accepted application becomes a partnership in planning', async () => {
    const db = stack.database.db;
    const district = await stack.districtWithKey('Catalog USD');
    const other = await stack.districtWithKey('Other Catalog USD');
    const catalog = `/organizations/${district.id}/catalog`;
    for (const bad of [
      { ...entry, pathways: [] },
      { ...entry, pathways: ['pilot', 'pilot'] },
      { ...entry, pathways: ['forever'] },
      { ...entry, description: 'Tutoring\u0000' },
      { ...entry, partner: { name: 'Reading\r\nPartners' } },
    ]) {
      const res = await stack.call(district.key, 'POST', catalog, bad);
      expect(res.status, `${JSON.stringify(bad)}: ${res.text}`).toBe(400);
    }
    expect((await stack.call(other.key, 'POST', catalog, entry)).status).toBe(404);
    expect(await db.catalogEntry.count()).toBe(0);
    const added = await stack.call<{ id: string; partner: { name: string } }>(district.key, 'POST', catalog, entry);
    expect([added.status, added.json.partner.name]).toEqual([201, 'Reading Partners']);
    expect((await stack.call(district.key, 'POST', catalog, entry)).status).toBe(409);
    expect((await stack.call(other.key, 'GET', catalog)).status).toBe(404);
    const read = await stack.call<{ entries: { pathways: string[] }[] }>(district.key, 'GET', catalog);
    expect(read.json.entries.map((e) => e.pathways)).toEqual([['pilot', 'whole_school']]);

    const apply = (body: unknown, key = district.key) =>
      stack.call<{ id: string; status: string }>(key, 'POST', `/catalog-entries/${added.json.id}/applications`, body);
    for (const bad of [
      { ...application, pathway: 'systemic' },
      { ...application, contactEmail: 'lena' },
      { ...application, team: 'Lincoln\r\nBcc: x@evil.example' },
      { ...application, districtId: other.id },
    ]) {
      const res = await apply(bad);
      expect(res.status, `${JSON.stringify(bad)}: ${res.text}`).toBe(400);
    }
    expect((await apply(application, other.key)).status).toBe(404);
    expect(await db.catalogApplication.count()).toBe(0);
    const first = await apply(application);
    const second = await apply({ ...application, team: 'Roosevelt Middle team' });
    expect([first.status, first.json.status, second.status]).toEqual([201, 'pending', 201]);

    const decide = (id: string, body: unknown, key = district.key) =>
      stack.call<{ partnershipId: string | null; application: { status: string }; detail?: string }>(
        key,
        'POST',
        `/catalog-applications/${id}/decision`,
        body,
      );
    for (const bad of [{ decision: 'accepted' }, { decision: 'declined' }, { decision: 'accepted', firstReviewAt: soon(-1) }]) {
      const res = await decide(first.json.id, bad);
      expect(res.status, `${JSON.stringify(bad)}: ${res.text}`).toBe(400);
    }
    expect((await decide(first.json.id, { decision: 'accepted', firstReviewAt: soon(30) }, other.key)).status).toBe(404);
    expect(await db.partnership.count()).toBe(0);

    // Two acceptances at once: one partnership.
    const both = await Promise.all([1, 2].map(() => decide(first.json.id, { decision: 'accepted', firstReviewAt: soon(30) })));
    expect(both.map((r) => r.status).sort(), both.map((r) => JSON.stringify(r.json)).join()).toEqual([200, 409]);
    const accepted = both.find((r) => r.status === 200)?.json;
    const partnership = await db.partnership.findUniqueOrThrow({
      where: { id: accepted?.partnershipId as string },
      include: { members: { include: { person: true } }, partner: true },
    });
    expect([partnership.status, partnership.engagementPathway, partnership.goals, partnership.partner.name]).toEqual([
      'planning',
      'pilot',
      application.goals,
      'Reading Partners',
    ]);
    expect(partnership.members.map((m) => [m.person.email, m.role])).toEqual([['lena@lincoln.example', 'district_lead']]);
    const checklist = await stack.call<{ questions: unknown[] }>(district.key, 'GET', `/partnerships/${partnership.id}/planning`);
    expect(checklist.json.questions.length).toBeGreaterThan(0);

    const declined = await decide(second.json.id, { decision: 'declined', note: 'We fund one pilot this year' });
    expect([declined.status, declined.json.application.status, declined.json.partnershipId]).toEqual([200, 'declined', null]);
    expect((await decide(second.json.id, { decision: 'accepted', firstReviewAt: soon(30) })).status).toBe(409);
    expect(await db.partnership.count()).toBe(1);
  });

  it("of a cohort, asks the team's district", async () => {
    const cohort = await stack.call<{ id: string }>(stack.adminKey, 'POST', '/cohorts', { name: 'Catalog cohort' });
    const added = await stack.call<{ id: string }>(stack.adminKey, 'POST', `/cohorts/${cohort.json.id}/catalog`, {
      ...entry,
      partner: { name: 'Math Partners' },
    });
    expect(added.status, added.text).toBe(201);
    const without = await stack.call<{ errors: { path: string }[] }>(
      stack.adminKey,
      'POST',
      `/catalog-entries/${added.json.id}/applications`,
      application,
    );
    expect([without.status, without.json.errors.map((e) => e.path)]).toEqual([400, ['districtId']]);
    const district = await stack.districtWithKey('Cohort Catalog USD');
    const applied = await stack.call(stack.adminKey, 'POST', `/catalog-entries/${added.json.id}/applications`, {
      ...application,
      districtId: district.id,
    });
    expect(applied.status, applied.text).toBe(201);
  });
});

describe('a catalog of partners (pages)', () => {
  const browser = useBrowser();

  it('lets its keeper put a partner in, a team apply, and the keeper accept, on a phone', async () => {
    await createAdmin(stack.database, { kind: 'command_line', name: 'test' }, { email: 'root@catalog.example' });
    const district = await stack.districtWithKey('Phone Catalog USD');
    const { context, page } = await signIn(stack, browser, 'root@catalog.example');
    await page.goto(`${stack.publicUrl}/dashboard`);
    await page.getByRole('link', { name: 'Catalog of partners' }).click();
    await page.getByLabel('Whose catalog').selectOption(`district:${district.id}`);
    await page.getByRole('button', { name: 'Show' }).click();
    const add = page.getByRole('form', { name: 'Put a partner in the catalog' });
    await add.getByLabel('Partner organization').fill('Science Partners');
    await add.getByLabel('What it does').fill('Inquiry-based science units with coaching');
    // No pathway ticked: the form says so and nothing is written.
    await add.getByRole('button', { name: 'Put it in the catalog' }).click();
    await expect
      .poll(() =>
        page
          .getByText(/Too small|at least 1|must contain at least/i)
          .first()
          .isVisible(),
      )
      .toBe(true);
    expect(await stack.database.db.catalogEntry.count({ where: { districtId: district.id } })).toBe(0);
    await page.getByRole('form', { name: 'Put a partner in the catalog' }).getByLabel('Pilot').check();
    await page.getByRole('form', { name: 'Put a partner in the catalog' }).getByRole('button', { name: 'Put it in the catalog' }).click();
    await expect.poll(() => page.getByText('Science Partners is in the catalog.').isVisible()).toBe(true);
    await expectAccessible(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);

    await page.getByText('Apply to Science Partners').click();
    const apply = page.getByRole('form', { name: 'Apply to Science Partners' });
    await apply.getByLabel('School or team').fill('Jefferson Elementary science team');
    await apply.getByLabel('What you want to achieve').fill('Hands-on science every week in grades 3 to 5');
    await apply.getByLabel("Contact's email").fill('jo@jefferson.example');
    await apply.getByLabel("Contact's name").fill('Jo Park');
    await apply.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.getByText('Your application is sent').isVisible()).toBe(true);

    const decide = page.getByRole('form', { name: 'Decide on Jefferson Elementary science team' });
    const first = DateTime.now().setZone('America/Chicago').plus({ days: 40 }).set({ hour: 15, minute: 30 });
    await decide.getByLabel('To accept: the first review (America/Chicago)').fill(first.toFormat("yyyy-MM-dd'T'HH:mm"));
    await decide.getByRole('button', { name: 'Accept' }).click();
    await expect
      .poll(() => page.getByText(/Accepted: Jefferson Elementary science team's partnership is in planning/).isVisible())
      .toBe(true);
    await expect.poll(() => page.getByRole('link', { name: 'Planning checklist' }).isVisible()).toBe(true);
    const made = await stack.database.db.catalogApplication.findFirstOrThrow({
      where: { team: 'Jefferson Elementary science team' },
      include: {},
    });
    const review = await stack.database.db.review.findFirstOrThrow({ where: { partnershipId: made.partnershipId as string } });
    expect(review.scheduledAt.toISOString()).toBe(first.toUTC().set({ second: 0, millisecond: 0 }).toISO());
    await context.close();
  });
});

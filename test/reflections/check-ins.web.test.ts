import { beforeAll, describe, expect, it } from 'vitest';
import { personPrincipal } from '../../core/people/principal.js';
import { saveReflection } from '../../core/reflections/commands.js';
import { createLogger } from '../../lib/logger.js';
import { type ApiStack, useApiStack } from '../support/api-stack.js';
import { useBrowser } from '../support/browser.js';
import { waitFor } from '../support/mailbox.js';
import { expectAccessible, signIn } from '../support/web.js';

/**
 * The honest check-in: members rate the partnership with their reflection (on a phone, in Chromium),
 * the leads see each side's figures only from three answers of that side, with the gap between the
 * sides and the trend; the cohort's coordinators see them across the cohort. Nobody else does, and
 * nothing the database would refuse gets in.
 */
const stack: ApiStack = useApiStack('tandem-check-ins');
const email = (who: string) => `${who}@check-ins.example`;
const DISTRICT = ['dee', 'dan', 'dot'];
const PARTNER = ['pat', 'pam', 'pip'];

type Figures = { answered: number; means: Record<string, number | null> | null };
type CheckIns = {
  minimum: number;
  reviews: { sequence: number; district: Figures; partner: Figures; gap: Record<string, number | null> | null }[];
};

describe('check-ins from both sides', () => {
  const browser = useBrowser();
  let partnershipId: string;
  let reviewId: string;
  let cohortId: string;

  /** Someone's reflection with a check-in, saved through the same command as the page's form. */
  async function answer(who: string, ratings: Record<string, number>) {
    const person = await stack.database.db.person.findUniqueOrThrow({ where: { email: email(who) } });
    const principal = await personPrincipal(stack.database.db, person.id);
    if (!principal) throw new Error(`no principal for ${who}`);
    await saveReflection({ db: stack.database.db, temporal: stack.temporal, logger: createLogger('silent') }, principal, reviewId, {
      whatWorked: 'The walkthroughs',
      whatDidnt: 'Too little time',
      howToImprove: 'Plan the data day earlier',
      checkIn: ratings,
    });
  }

  beforeAll(async () => {
    cohortId = (await stack.call<{ id: string }>(stack.adminKey, 'POST', '/cohorts', { name: 'Check-in cohort' })).json.id;
    const created = await stack.call<{ id: string; firstReview: { id: string } }>(stack.adminKey, 'POST', '/partnerships', {
      name: 'Check-in literacy',
      district: { name: 'Check-in USD' },
      partner: { name: 'Check-in Partners' },
      cohortId,
      timeZone: 'America/Chicago',
      firstReviewAt: new Date(Date.now() + 3_600_000).toISOString(),
      members: [
        ...DISTRICT.map((w, i) => ({
          name: `${w} district`,
          email: email(w),
          role: i === 0 ? 'district_lead' : 'participant',
          side: 'district',
        })),
        ...PARTNER.map((w, i) => ({
          name: `${w} partner`,
          email: email(w),
          role: i === 0 ? 'partner_lead' : 'participant',
          side: 'partner',
        })),
      ],
    });
    expect(created.status, created.text).toBe(201);
    partnershipId = created.json.id;
    reviewId = created.json.firstReview.id;
    await stack.reviewPlanned(partnershipId);
    const held = await stack.call(stack.adminKey, 'POST', `/partnerships/${partnershipId}/reviews/${reviewId}/outcome`, {
      outcome: 'held',
      notes: 'Looked at the walkthrough data together.',
    });
    expect(held.status, held.text).toBe(200);
    await waitFor(
      'every member to be asked to reflect',
      async () => (await stack.database.db.reflection.count({ where: { reviewId } })) === 6,
    );
  });

  it('takes a member’s ratings from the reflection form on a phone, and refuses a NUL or a rating off the scale, writing nothing', async () => {
    const { context, page } = await signIn(stack, browser, email('dan'));
    const form = `${stack.publicUrl}/p/${partnershipId}/reviews/${reviewId}/reflection`;
    await page.goto(form);
    await expect.poll(() => page.getByText('only once at least 3 members of a side have answered').isVisible()).toBe(true);
    await expectAccessible(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.getByLabel('What worked?').fill('Walkthroughs');
    await page.getByLabel("What didn't?").fill('Time');
    await page.getByLabel('How could it be improved?').fill('Earlier planning');
    const rate = (legend: RegExp, value: string) => page.getByRole('group', { name: legend }).getByLabel(value, { exact: true }).check();

    // A NUL in the comment, as a hand-made request would send it: refused with the field named.
    await rate(/^Relationship/, '4');
    await page.getByLabel('A comment on how it is going').evaluate((el) => {
      (el as HTMLTextAreaElement).value = 'fine\u0000';
    });
    await page.getByRole('button', { name: 'Send my reflection' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('NUL');
    // A rating off the scale, by editing the radio button's value.
    await page.getByLabel('A comment on how it is going').fill('Good start');
    await page
      .getByRole('group', { name: /^Results/ })
      .getByLabel('5 (very well)')
      .evaluate((el) => {
        (el as HTMLInputElement).value = '6';
        (el as HTMLInputElement).checked = true;
      });
    await page.getByRole('button', { name: 'Send my reflection' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('must be from 1 to 5');
    const untouched = await stack.database.db.reflection.findFirstOrThrow({ where: { reviewId, person: { email: email('dan') } } });
    expect([untouched.submittedAt, untouched.ratingRelationship, untouched.checkInComment]).toEqual([null, null, null]);

    await rate(/^Relationship/, '4');
    await rate(/^Content/, '3');
    await rate(/^Delivery/, '4');
    await rate(/^Results/, '2');
    await rate(/^Communication/, '5 (very well)');
    await page.getByLabel('A comment on how it is going').fill('Good start');
    await page.getByRole('button', { name: 'Send my reflection' }).click();
    await expect.poll(() => page.getByText('your reflection is saved').isVisible()).toBe(true);
    // Shown again to edit, with the ratings given.
    expect(
      await page
        .getByRole('group', { name: /^Results/ })
        .getByLabel('2', { exact: true })
        .isChecked(),
    ).toBe(true);
    const saved = await stack.database.db.reflection.findFirstOrThrow({ where: { reviewId, person: { email: email('dan') } } });
    expect([saved.ratingRelationship, saved.ratingContent, saved.ratingDelivery, saved.ratingResults, saved.ratingCommunication]).toEqual([
      4, 3, 4, 2, 5,
    ]);
    expect(saved.checkInComment).toBe('Good start');
    // The timeline says a check-in came, never its figures: every member reads it.
    const event = await stack.database.db.partnershipEvent.findFirstOrThrow({ where: { partnershipId, type: 'reflection.submitted' } });
    expect(event.data).toEqual({ reviewId, reflectionId: saved.id, checkIn: true });
    await context.close();
  });

  it('shows a side only from three answers, with the gap between the sides, to the leads and the coordinators only', async () => {
    const checkIns = async (key = stack.adminKey) => stack.call<CheckIns>(key, 'GET', `/partnerships/${partnershipId}/check-ins`);
    await answer('dee', { relationship: 5, content: 4, delivery: 4, results: 3, communication: 4 });
    await answer('pat', { relationship: 3, content: 3, delivery: 2, results: 2, communication: 3 });
    await answer('pam', { relationship: 2, content: 3, delivery: 3, results: 2 });
    // Dan (the form above) and Dee: two of the district's three, so neither side shows a figure yet.
    let res = await checkIns();
    expect(res.status, res.text).toBe(200);
    expect(res.json.reviews[0]).toMatchObject({
      sequence: 1,
      district: { answered: 2, means: null },
      partner: { answered: 2, means: null },
      gap: null,
    });

    await answer('dot', { relationship: 3, content: 2, delivery: 4, results: 1, communication: 3 });
    res = await checkIns();
    expect(res.json.reviews[0]?.district).toEqual({
      answered: 3,
      means: { relationship: 4, content: 3, delivery: 4, results: 2, communication: 4 },
    });
    expect(res.json.reviews[0]?.partner).toEqual({ answered: 2, means: null });

    // The third on the partner's side; Pip leaves communication out, so it rests on Pat's and Pam's... only two: hidden.
    await answer('pip', { relationship: 4, content: 3, delivery: 4, results: 3 });
    res = await checkIns();
    expect(res.json.reviews[0]?.partner).toEqual({
      answered: 3,
      means: { relationship: 3, content: 3, delivery: 3, results: 2.3, communication: null },
    });
    expect(res.json.reviews[0]?.gap).toEqual({ relationship: 1, content: 0, delivery: 1, results: -0.3, communication: null });

    // The cohort's view pools the latest answers.
    const cohort = await stack.call<{ cohort: { district: Figures; partner: Figures }; partnerships: { name: string }[] }>(
      stack.adminKey,
      'GET',
      `/cohorts/${cohortId}/check-ins`,
    );
    expect(cohort.status, cohort.text).toBe(200);
    expect(cohort.json.partnerships.map((p) => p.name)).toEqual(['Check-in literacy']);
    expect([cohort.json.cohort.district.answered, cohort.json.cohort.partner.answered]).toEqual([3, 3]);

    // Another district's key sees neither the partnership nor the cohort.
    const org = await stack.districtWithKey('Elsewhere USD', 'America/Chicago');
    expect((await checkIns(org.key)).status).toBe(404);
    expect((await stack.call(org.key, 'GET', `/cohorts/${cohortId}/check-ins`)).status).toBe(404);

    // On the pages: the lead sees the figures; a participant does not see the section at all.
    const lead = await signIn(stack, browser, email('dee'));
    await lead.page.goto(`${stack.publicUrl}/p/${partnershipId}`);
    const section = lead.page.getByRole('region', { name: 'How it is going' });
    await expect.poll(() => section.getByRole('table').textContent()).toContain('Relationship');
    await expect.poll(() => section.getByRole('row', { name: /Results/ }).textContent()).toContain('-0.3');
    await expectAccessible(lead.page);
    await lead.context.close();
    const participant = await signIn(stack, browser, email('pam'));
    await participant.page.goto(`${stack.publicUrl}/p/${partnershipId}`);
    await expect.poll(() => participant.page.getByRole('heading', { name: 'Check-in literacy' }).isVisible()).toBe(true);
    expect(await participant.page.getByRole('heading', { name: 'How it is going' }).count()).toBe(0);
    // The cohort's page: she sees the cohort (her partnership is in it) but is not its coordinator.
    const refused = await participant.page.goto(`${stack.publicUrl}/dashboard/cohorts/${cohortId}/check-ins`);
    expect(refused?.status()).toBe(403);
    expect(await participant.page.locator('main').textContent()).not.toContain('District');
    await participant.context.close();
  });
});

import { DateTime } from 'luxon';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ApiStack, threeMembers, useApiStack } from '../support/api-stack.js';
import { useBrowser } from '../support/browser.js';
import { HOUR } from '../support/time.js';
import { expectAccessible, signIn } from '../support/web.js';

/**
 * Measures of success from end to end: a lead sets a goal with a measure on a phone (a target on the
 * wrong side of the baseline is refused, and nothing is written), records its value at a held review,
 * and the measure is judged against its trajectory: behind it, the partnership needs attention on
 * the dashboard; on it again, it does not. A change of target keeps its reason. A participant sees
 * the measures and may not set them.
 */
const stack: ApiStack = useApiStack('tandem-measures');
const ZONE = 'America/Chicago';
let partnershipId = '';
let reviewId = '';

beforeAll(async () => {
  const created = await stack.createPartnership('Measured literacy', threeMembers('measures.example'), {
    firstReviewAt: new Date(Date.now() + HOUR).toISOString(),
  });
  partnershipId = created.id;
  reviewId = created.firstReview.id;
});

type Health = { items: { id: string; health: string; reasons: string[]; measuresBehind: number }[] };
const healthOf = async () =>
  (await stack.call<Health>(stack.adminKey, 'GET', '/reports/partnership-health')).json.items.find((r) => r.id === partnershipId);
type Goals = { items: { title: string; measures: { id: string; standing: string; target: number; values: { value: number }[] }[] }[] };
const goals = async () => (await stack.call<Goals>(stack.adminKey, 'GET', `/partnerships/${partnershipId}/goals`)).json.items;

describe('measures of success', () => {
  const browser = useBrowser();

  it('are set by a lead, recorded at a held review, judged against their trajectory, and counted in the health', async () => {
    const { context, page } = await signIn(stack, browser, 'ana@measures.example');
    await page.goto(`${stack.publicUrl}/p/${partnershipId}`);
    await expect.poll(() => page.getByText('No goal with measures of success yet.').isVisible()).toBe(true);
    await page.getByRole('link', { name: 'Set a goal with its measures' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Set a goal with its measures' }).isVisible()).toBe(true);
    await expectAccessible(page);

    const first = page.getByRole('group', { name: 'Measure 1' });
    const targetDate = DateTime.now().setZone(ZONE).plus({ years: 1 }).toISODate() as string;
    await page.getByLabel('The goal').fill('Every third grader reads at grade level');
    await first.getByLabel('What is measured').fill('Grade 3 at grade level');
    await first.getByLabel('Unit').fill('%');
    await first.getByLabel('Where it stands now').fill('40');
    // Better when it goes up, yet a target below where it stands: refused, with the field named.
    await first.getByLabel('Target').fill('30');
    await first.getByLabel(`By (a date, ${ZONE})`).fill(targetDate);
    await first.getByLabel('Where its figures come from').fill('state assessment');
    await page.getByRole('button', { name: 'Set the goal' }).click();
    await expect.poll(() => page.getByText('must be above the baseline for an increase').first().isVisible()).toBe(true);
    expect(await stack.database.db.goal.count({ where: { partnershipId } })).toBe(0);
    // What was typed is kept; only the target changes.
    expect(await first.getByLabel('What is measured').inputValue()).toBe('Grade 3 at grade level');
    await first.getByLabel('Target').fill('60');
    await page.getByRole('button', { name: 'Set the goal' }).click();
    await expect.poll(() => page.getByText('The goal is set.').isVisible()).toBe(true);
    await expect.poll(() => page.getByText('Not recorded yet').isVisible()).toBe(true);
    const [goal] = await goals();
    expect(goal?.measures).toHaveLength(1);
    const measureId = goal?.measures[0]?.id as string;

    // The review is held; its page asks for the measure's value.
    const held = await stack.call(stack.adminKey, 'POST', `/partnerships/${partnershipId}/reviews/${reviewId}/outcome`, {
      outcome: 'held',
    });
    expect(held.status, held.text).toBe(200);
    await page.goto(`${stack.publicUrl}/p/${partnershipId}/reviews/${reviewId}`);
    const form = page.getByRole('form', { name: 'Record the measures' });
    await expect.poll(() => form.isVisible()).toBe(true);
    await expectAccessible(page);
    await form.getByLabel(/^Value/).fill('about forty');
    await form.getByRole('button', { name: 'Record the measures' }).click();
    await expect.poll(() => page.getByText('Give a number').first().isVisible()).toBe(true);
    expect(await stack.database.db.measureValue.count()).toBe(0);
    // Below the baseline, so behind the line from it to the target.
    await form.getByLabel(/^Value/).fill('38.5');
    await form.getByLabel('Note (optional)').fill('Winter screener');
    await form.getByRole('button', { name: 'Record the measures' }).click();
    await expect.poll(() => page.getByText('The measures are recorded.').isVisible()).toBe(true);
    expect((await goals())[0]?.measures[0]).toMatchObject({ standing: 'behind', values: [{ value: 38.5 }] });
    const behind = await healthOf();
    expect(behind).toMatchObject({ health: 'needs_attention', measuresBehind: 1 });
    expect(behind?.reasons.join(' ')).toContain('a measure of success is behind its trajectory');

    // Recorded again for the same review: replaced, not added; back on track.
    await form.getByLabel(/^Value/).fill('44');
    await form.getByRole('button', { name: 'Record the measures' }).click();
    await expect.poll(() => page.getByText('The measures are recorded.').isVisible()).toBe(true);
    expect((await goals())[0]?.measures[0]).toMatchObject({ standing: 'on_track', values: [{ value: 44 }] });
    expect(await healthOf()).toMatchObject({ health: 'on_track', measuresBehind: 0 });

    // Its page: the chart with its figures, and a change of target with its reason.
    await page.goto(`${stack.publicUrl}/p/${partnershipId}/measures/${measureId}`);
    await expect.poll(() => page.getByRole('table', { name: 'Recorded at held reviews' }).isVisible()).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await expectAccessible(page);
    const change = page.getByRole('form', { name: 'Change the target' });
    await change.getByLabel('Target').fill('65');
    await change.getByLabel('Why').fill('The board raised the bar');
    await change.getByRole('button', { name: 'Change it' }).click();
    await expect.poll(() => page.getByText('The board raised the bar').isVisible()).toBe(true);
    expect((await goals())[0]?.measures[0]?.target).toBe(65);
    const chart = await page.goto(`${stack.publicUrl}/p/${partnershipId}/measures/${measureId}/chart.svg`);
    expect([chart?.status(), chart?.headers()['content-type']]).toEqual([200, 'image/svg+xml; charset=utf-8']);
    expect(await chart?.text()).toMatch(/^<svg/);
    await context.close();
  });

  it('are shown to a participant, who may not set or record them', async () => {
    const { context, page } = await signIn(stack, browser, 'cal@measures.example');
    await page.goto(`${stack.publicUrl}/p/${partnershipId}`);
    await expect.poll(() => page.getByRole('heading', { name: 'Goals and measures' }).isVisible()).toBe(true);
    expect(await page.getByRole('link', { name: 'Set a goal with its measures' }).count()).toBe(0);
    expect((await page.goto(`${stack.publicUrl}/p/${partnershipId}/goals/new`))?.status()).toBe(403);
    await page.goto(`${stack.publicUrl}/p/${partnershipId}/reviews/${reviewId}`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Review #1');
    expect(await page.getByRole('form', { name: 'Record the measures' }).count()).toBe(0);
    await context.close();
  });

  it('take two recordings sent at once as one value, and refuse a review not held or a measure of another partnership', async () => {
    const measureId = (await goals())[0]?.measures[0]?.id as string;
    const record = (value: number, review = reviewId, measure = measureId) =>
      stack.call(stack.adminKey, 'POST', `/partnerships/${partnershipId}/reviews/${review}/measures`, {
        values: [{ measureId: measure, value }],
      });
    const both = await Promise.all([record(45), record(46)]);
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    expect(await stack.database.db.measureValue.count({ where: { measureId } })).toBe(1);
    // Another partnership's review, and another partnership's measure.
    const other = await stack.createPartnership('Other literacy', [
      { name: 'Dee Park', email: 'dee@measures.example', role: 'district_lead' },
    ]);
    expect((await record(47, other.firstReview.id)).status).toBe(404);
    const scheduled = await stack.call(stack.adminKey, 'POST', `/partnerships/${other.id}/reviews/${other.firstReview.id}/measures`, {
      values: [{ measureId, value: 47 }],
    });
    expect(scheduled.status).toBe(409);
    const crlf = await stack.call(stack.adminKey, 'POST', `/partnerships/${partnershipId}/goals`, {
      title: 'Line one\r\nBcc: everyone@example.com',
      measures: [{ name: 'x', unit: '%', baseline: 1, target: 2, targetDate: '2030-01-01', direction: 'increase', source: 's' }],
    });
    expect(crlf.status).toBe(400);
    expect(await stack.database.db.goal.count({ where: { partnershipId } })).toBe(1);

    // A value may name the evidence its figure comes from: the partnership's own, never another's.
    const ask = (pid: string, email: string) =>
      stack.call<{ id: string }>(stack.adminKey, 'POST', `/partnerships/${pid}/evidence-requests`, {
        ownerEmail: email,
        description: 'Winter screener results',
        kinds: ['student_achievement_data'],
        dueAt: new Date(Date.now() + 20 * 86_400_000).toISOString(),
      });
    const ours = await ask(partnershipId, 'ana@measures.example');
    const theirs = await ask(other.id, 'dee@measures.example');
    expect([ours.status, theirs.status]).toEqual([201, 201]);
    const withTheirs = await stack.call<{ errors: { path: string }[] }>(
      stack.adminKey,
      'POST',
      `/partnerships/${partnershipId}/reviews/${reviewId}/measures`,
      { values: [{ measureId, value: 48, evidenceRequestId: theirs.json.id }] },
    );
    expect([withTheirs.status, withTheirs.json.errors.map((e) => e.path)]).toEqual([400, ['values.0.evidenceRequestId']]);
    const withOurs = await stack.call(stack.adminKey, 'POST', `/partnerships/${partnershipId}/reviews/${reviewId}/measures`, {
      values: [{ measureId, value: 48, evidenceRequestId: ours.json.id }],
    });
    expect(withOurs.status, withOurs.text).toBe(200);
    expect(await stack.database.db.measureValue.findFirstOrThrow({ where: { measureId } })).toMatchObject({
      value: 48,
      evidenceRequestId: ours.json.id,
    });
  });

  it('are recorded with the outcome of a review: checked before the outcome, so a wrong one leaves the review as it was', async () => {
    const created = await stack.createPartnership('Outcome literacy', threeMembers('outcome-measures.example'), {
      firstReviewAt: new Date(Date.now() + HOUR).toISOString(),
    });
    const goal = await stack.call<{ measures: { id: string }[] }>(stack.adminKey, 'POST', `/partnerships/${created.id}/goals`, {
      title: 'Readers by grade 3',
      measures: [
        {
          name: 'At grade level',
          unit: '%',
          baseline: 40,
          target: 60,
          targetDate: '2030-06-01',
          direction: 'increase',
          source: 'state assessment',
        },
      ],
    });
    const measureId = goal.json.measures[0]?.id as string;
    const outcome = (measures: unknown) =>
      stack.call<{ errors?: { path: string }[] }>(
        stack.adminKey,
        'POST',
        `/partnerships/${created.id}/reviews/${created.firstReview.id}/outcome`,
        {
          outcome: 'held',
          notes: 'Looked at the screener together',
          measures,
        },
      );
    const foreign = (await goals())[0]?.measures[0]?.id as string;
    const refused = await outcome([{ measureId: foreign, value: 41 }]);
    expect([refused.status, refused.json.errors?.map((e) => e.path)]).toEqual([400, ['measures.0.measureId']]);
    expect((await stack.database.db.review.findUniqueOrThrow({ where: { id: created.firstReview.id } })).status).toBe('scheduled');
    const held = await outcome([{ measureId, value: 43, note: 'Winter screener' }]);
    expect(held.status, JSON.stringify(held.json)).toBe(200);
    expect(await stack.database.db.measureValue.findFirstOrThrow({ where: { measureId } })).toMatchObject({
      reviewId: created.firstReview.id,
      value: 43,
      note: 'Winter screener',
    });
  });
});

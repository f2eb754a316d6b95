import { PDFParse } from 'pdf-parse';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ApiStack, threeMembers, useApiStack } from '../support/api-stack.js';
import { useBrowser } from '../support/browser.js';
import { DAY, HOUR } from '../support/time.js';
import { expectAccessible, signIn } from '../support/web.js';

/**
 * The summary for the board: a partnership with a measure recorded at a held review, a commitment
 * done on time, evidence asked for and accepted, and something overdue; its page (on a phone, for its
 * sponsor), its PDF parsed back, and its figures from the API agree. A participant may not see it.
 */
const stack: ApiStack = useApiStack('tandem-board-summary');
const soon = (ms: number) => new Date(Date.now() + ms).toISOString();
let partnershipId = '';

beforeAll(async () => {
  const created = await stack.createPartnership(
    'Summarized literacy',
    [...threeMembers('summary.example'), { name: 'Sue Park', email: 'sue@summary.example', role: 'executive_sponsor' }],
    { firstReviewAt: soon(HOUR) },
  );
  partnershipId = created.id;
  const post = async (path: string, body: unknown, status = 201) => {
    const res = await stack.call<{ id: string; measures: { id: string }[] }>(stack.adminKey, 'POST', path, body);
    expect(res.status, res.text).toBe(status);
    return res.json;
  };
  const goal = await post(`/partnerships/${partnershipId}/goals`, {
    title: 'Every third grader reads at grade level',
    measures: [
      {
        name: 'Grade 3 at grade level',
        unit: '%',
        baseline: 40,
        target: 60,
        targetDate: soon(365 * DAY).slice(0, 10),
        direction: 'increase',
        source: 'state assessment',
      },
    ],
  });
  await post(`/partnerships/${partnershipId}/reviews/${created.firstReview.id}/outcome`, { outcome: 'held' }, 200);
  await post(
    `/partnerships/${partnershipId}/reviews/${created.firstReview.id}/measures`,
    { values: [{ measureId: goal.measures[0]?.id, value: 44 }] },
    200,
  );
  const done = await post(`/partnerships/${partnershipId}/commitments`, {
    ownerEmail: 'ben@summary.example',
    description: 'Send the coaching plan',
    dueAt: soon(10 * DAY),
  });
  await post(`/commitments/${done.id}/complete`, { note: 'Sent' }, 200);
  const late = await post(`/partnerships/${partnershipId}/commitments`, {
    ownerEmail: 'ana@summary.example',
    description: 'Book the data room',
    dueAt: soon(10 * DAY),
  });
  // Overdue since last week (a deadline cannot be made in the past; time is what makes one overdue).
  await stack.database.db.commitment.update({ where: { id: late.id }, data: { dueAt: new Date(Date.now() - 7 * DAY), status: 'overdue' } });
  const evidence = await post(`/partnerships/${partnershipId}/evidence-requests`, {
    ownerEmail: 'ben@summary.example',
    description: 'Walkthrough notes',
    kinds: ['observation'],
    dueAt: soon(20 * DAY),
  });
  await post(`/evidence-requests/${evidence.id}/items`, { kind: 'observation', text: 'Notes from six classrooms' });
  const ana = (await stack.database.db.person.findUniqueOrThrow({ where: { email: 'ana@summary.example' } })).id;
  await post(`/evidence-requests/${evidence.id}/review`, { verdict: 'accepted', onBehalfOf: ana }, 200);
});

describe('the summary for the board', () => {
  const browser = useBrowser();

  it('shows its sponsor the measures, commitments by side, evidence and what is overdue, on a phone and as a PDF', async () => {
    const { context, page } = await signIn(stack, browser, 'sue@summary.example');
    await page.goto(`${stack.publicUrl}/p/${partnershipId}`);
    await page.getByRole('link', { name: 'Summary for the board' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Summarized literacy');
    await expectAccessible(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    const text = (await page.locator('main').textContent()) ?? '';
    for (const expected of [
      'Grade 3 at grade level',
      '44%',
      'On track',
      'executive sponsor: Sue Park',
      'Classroom observation',
      'Book the data room (Ana Diaz',
    ]) {
      expect(text).toContain(expected);
    }
    await context.close();

    // The PDF, as the API gives it, parsed back: the same figures.
    const pdf = await fetch(`${stack.baseUrl}/partnerships/${partnershipId}/summary.pdf`, {
      headers: { authorization: `Bearer ${stack.adminKey}` },
    });
    expect([pdf.status, pdf.headers.get('content-type')]).toEqual([200, 'application/pdf']);
    const parsed = await new PDFParse({ data: new Uint8Array(await pdf.arrayBuffer()) }).getText();
    const flat = parsed.text.replace(/\s+/g, ' ');
    expect(parsed.total).toBe(1);
    for (const expected of [
      'Summarized literacy',
      'Grade 3 at grade level: 40% → 60%',
      'latest 44% (On track)',
      'partner: 1 of 1 done by their due date',
      'Classroom observation: 1 asked for, 1 submitted, 1 accepted',
      'Commitment: Book the data room (Ana Diaz',
    ]) {
      expect(flat).toContain(expected);
    }
    const figures = await stack.call<{ health: { health: string }; overdue: { description: string }[] }>(
      stack.adminKey,
      'GET',
      `/partnerships/${partnershipId}/summary`,
    );
    expect(figures.json.health.health).toBe('needs_attention');
    expect(figures.json.overdue.map((o) => o.description)).toEqual(['Book the data room']);
  });

  it('is not a participant’s to read', async () => {
    const { context, page } = await signIn(stack, browser, 'cal@summary.example');
    expect((await page.goto(`${stack.publicUrl}/p/${partnershipId}/summary`))?.status()).toBe(403);
    await page.goto(`${stack.publicUrl}/p/${partnershipId}`);
    expect(await page.getByRole('link', { name: 'Summary for the board' }).count()).toBe(0);
    await context.close();
  });
});

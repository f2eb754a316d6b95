import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PLANNING_QUESTIONS } from '../../core/partnerships/planning.js';
import { createAdmin } from '../../core/people/identity.js';
import { type ApiStack, threeMembers, useApiStack } from '../support/api-stack.js';
import { useBrowser } from '../support/browser.js';
import { waitFor } from '../support/mailbox.js';
import { expectAccessible, signIn } from '../support/web.js';

/**
 * Planning that asks the questions: a partnership in planning has a checklist copied from its
 * cohort's template, else its district's, else Tandem's own; each side's leads answer for their side;
 * activation names what is unanswered, and someone who manages it may activate anyway.
 */
const stack: ApiStack = useApiStack('tandem-planning-checklist');

type Checklist = {
  open: boolean;
  questions: { id: string; topic: string; text: string; answers: Record<'district' | 'partner', { answer: string; by: string } | null> }[];
  answered: number;
  unanswered: { questionId: string; side: string }[];
};

const personId = async (email: string) => (await stack.database.db.person.findUniqueOrThrow({ where: { email } })).id;
const checklist = (id: string, key = stack.adminKey) =>
  stack.call<Checklist & { detail?: string }>(key, 'GET', `/partnerships/${id}/planning`);
const answer = (id: string, body: unknown, key = stack.adminKey) =>
  stack.call<Checklist & { detail?: string }>(key, 'PUT', `/partnerships/${id}/planning`, body);

describe('the planning checklist (API)', () => {
  let id = '';
  let ana = '';
  let ben = '';
  beforeAll(async () => {
    id = (await stack.createPartnership('Plan literacy', threeMembers('plan.example'), { planning: true })).id;
    ana = await personId('ana@plan.example');
    ben = await personId('ben@plan.example');
  });

  it("asks Tandem's questions, each side answers its own, and bad input or another tenant writes nothing", async () => {
    const first = await checklist(id);
    expect(first.status, first.text).toBe(200);
    expect(first.json.questions.map((q) => q.text)).toEqual(DEFAULT_PLANNING_QUESTIONS.map((q) => q.text));
    expect([first.json.open, first.json.answered, first.json.unanswered.length]).toEqual([true, 0, 12]);
    const [q1, q2] = first.json.questions.map((q) => q.id);
    const db = stack.database.db;
    const nothingWritten = async () => expect(await db.planningAnswer.count({ where: { question: { partnershipId: id } } })).toBe(0);

    // A key must name the lead it answers for; a participant is no lead; another tenant sees nothing.
    expect((await answer(id, { answers: [{ questionId: q1, answer: 'Reading' }] })).status).toBe(403);
    const cal = await personId('cal@plan.example');
    expect((await answer(id, { answers: [{ questionId: q1, answer: 'Reading' }], onBehalfOf: cal })).status).toBe(403);
    const other = await stack.districtWithKey('Elsewhere Plan USD');
    expect((await answer(id, { answers: [{ questionId: q1, answer: 'Reading' }], onBehalfOf: ana }, other.key)).status).toBe(404);
    expect((await checklist(id, other.key)).status).toBe(404);
    const elsewhere = (await stack.createPartnership('Plan elsewhere', threeMembers('plan-else.example'), { planning: true })).id;
    const foreign = (await checklist(elsewhere)).json.questions[0]?.id;
    for (const bad of [
      { answers: [{ questionId: q1, answer: 'Reading\u0000' }], onBehalfOf: ana },
      { answers: [{ questionId: foreign, answer: 'Reading' }], onBehalfOf: ana },
      {
        answers: [
          { questionId: q1, answer: 'Reading' },
          { questionId: q1, answer: 'Math' },
        ],
        onBehalfOf: ana,
      },
      { answers: [{ questionId: 'q1', answer: 'Reading' }], onBehalfOf: ana },
      { answers: [], onBehalfOf: ana },
    ]) {
      const res = await answer(id, bad);
      expect(res.status, `${JSON.stringify(bad)}: ${res.text}`).toBe(400);
    }
    await nothingWritten();

    // Ana answers for the district (a line break is an answer's own); Ben for the partner.
    const byAna = await answer(id, { answers: [{ questionId: q1, answer: 'Third-grade reading\r\nis below the state' }], onBehalfOf: ana });
    expect(byAna.status, byAna.text).toBe(200);
    expect(byAna.json.questions[0]?.answers).toEqual({ district: expect.objectContaining({ by: 'Ana Diaz' }), partner: null });
    const byBen = await answer(id, {
      answers: [
        { questionId: q1, answer: 'Coaching capacity' },
        { questionId: q2, answer: 'Growth' },
      ],
      onBehalfOf: ben,
    });
    expect(byBen.json.answered).toBe(3);
    // Two saves of one answer at once leave one answer, the side's; an empty answer takes it back.
    const both = await Promise.all(
      ['Growth of 10 points', 'Growth of 12 points'].map((text) =>
        answer(id, { answers: [{ questionId: q2, answer: text }], onBehalfOf: ben }),
      ),
    );
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    expect(await db.planningAnswer.count({ where: { questionId: q2 } })).toBe(1);
    const takenBack = await answer(id, { answers: [{ questionId: q2, answer: '  ' }], onBehalfOf: ben });
    expect([takenBack.json.answered, takenBack.json.questions[1]?.answers.partner]).toEqual([2, null]);
  });

  it('activation names what is unanswered, goes ahead only when told to, and closes the checklist', async () => {
    const refused = await stack.call<{ detail: string }>(stack.adminKey, 'POST', `/partnerships/${id}/activate`, {});
    expect(refused.status, refused.text).toBe(409);
    expect(refused.json.detail).toBe(
      "10 answers to the planning questions are missing (the district's to 5 questions, the partner's to 5 questions); answer them, or activate despite them (despiteUnanswered)",
    );
    expect((await stack.database.db.partnership.findUniqueOrThrow({ where: { id } })).status).toBe('planning');
    const activated = await stack.call<{ lifecycle: string }>(stack.adminKey, 'POST', `/partnerships/${id}/activate`, {
      despiteUnanswered: true,
    });
    expect([activated.status, activated.json.lifecycle]).toEqual([200, 'active']);
    const closed = await answer(id, {
      answers: [{ questionId: (await checklist(id)).json.questions[2]?.id, answer: 'Ana' }],
      onBehalfOf: ana,
    });
    expect([closed.status, closed.json.detail]).toEqual([409, 'The partnership is active: its planning checklist is closed']);
    const kept = await checklist(id);
    expect([kept.json.open, kept.json.answered]).toEqual([false, 2]);
  });

  it('answered whole by both leads, activates without being told to go ahead', async () => {
    const whole = (await stack.createPartnership('Plan answered', threeMembers('plan-whole.example'), { planning: true })).id;
    const questions = (await checklist(whole)).json.questions;
    for (const email of ['ana@plan-whole.example', 'ben@plan-whole.example']) {
      const res = await answer(whole, {
        answers: questions.map((q) => ({ questionId: q.id, answer: `${email.slice(0, 3)}: ${q.topic}` })),
        onBehalfOf: await personId(email),
      });
      expect(res.status, res.text).toBe(200);
    }
    const done = await checklist(whole);
    expect([done.json.answered, done.json.unanswered]).toEqual([12, []]);
    const activated = await stack.call<{ lifecycle: string }>(stack.adminKey, 'POST', `/partnerships/${whole}/activate`);
    expect([activated.status, activated.json.lifecycle]).toEqual([200, 'active']);
  });

  it("asks a cohort's questions before its district's, and a district's before Tandem's; only their owners change them", async () => {
    const district = await stack.districtWithKey('Questions USD');
    const districtQuestions = [
      { topic: 'needs', text: 'Which schools asked for this?' },
      { topic: 'communication', text: 'Who writes the monthly note?' },
    ];
    const path = `/organizations/${district.id}/planning-template`;
    expect((await stack.call<{ own: boolean }>(district.key, 'GET', path)).json.own).toBe(false);
    const other = await stack.districtWithKey('Not Questions USD');
    expect((await stack.call(other.key, 'PUT', path, { questions: districtQuestions })).status).toBe(404);
    for (const bad of [
      { questions: [] },
      { questions: [{ topic: 'needs', text: 'Two\r\nlines' }] },
      { questions: [{ topic: 'budget', text: 'How much?' }] },
      { questions: [{ topic: 'needs', text: 'Why\u0000' }] },
    ]) {
      const res = await stack.call(district.key, 'PUT', path, bad);
      expect(res.status, `${JSON.stringify(bad)}: ${res.text}`).toBe(400);
    }
    expect(await stack.database.db.planningTemplate.count({ where: { districtId: district.id } })).toBe(0);
    const set = await stack.call<{ own: boolean; questions: unknown[] }>(district.key, 'PUT', path, { questions: districtQuestions });
    expect([set.status, set.json.own, set.json.questions]).toEqual([200, true, districtQuestions]);

    const cohort = await stack.call<{ id: string }>(stack.adminKey, 'POST', '/cohorts', { name: 'Questions cohort' });
    expect(cohort.status, cohort.text).toBe(201);
    const cohortQuestions = [{ topic: 'assessment', text: 'Which inquiry cycle comes first?' }];
    expect(
      (await stack.call(district.key, 'PUT', `/cohorts/${cohort.json.id}/planning-template`, { questions: cohortQuestions })).status,
    ).toBe(404);
    expect(
      (await stack.call(stack.adminKey, 'PUT', `/cohorts/${cohort.json.id}/planning-template`, { questions: cohortQuestions })).status,
    ).toBe(200);

    const inDistrict = await stack.createPartnership('District asks', threeMembers('asks.example'), {
      planning: true,
      district: { id: district.id },
    });
    const inCohort = await stack.createPartnership('Cohort asks', threeMembers('cohort-asks.example'), {
      planning: true,
      district: { id: district.id },
      cohortId: cohort.json.id,
    });
    expect((await checklist(inDistrict.id)).json.questions.map((q) => q.text)).toEqual(districtQuestions.map((q) => q.text));
    expect((await checklist(inCohort.id)).json.questions.map((q) => q.text)).toEqual(cohortQuestions.map((q) => q.text));
    // A template changed later leaves an opened checklist as it was.
    await stack.call(district.key, 'PUT', path, { questions: [{ topic: 'roles', text: 'Who signs?' }] });
    expect((await checklist(inDistrict.id)).json.questions.map((q) => q.text)).toEqual(districtQuestions.map((q) => q.text));
  });
});

describe('the planning checklist (pages)', () => {
  const browser = useBrowser();

  it('lets a lead answer from a phone, shows the other side, and lets a manager activate despite what is unanswered', async () => {
    const members = [
      ...threeMembers('plan-phone.example'),
      { name: 'Sue Park', email: 'sue@plan-phone.example', role: 'executive_sponsor' as const },
    ];
    const { id } = await stack.createPartnership('Plan on a phone', members, { planning: true });
    const ben = await personId('ben@plan-phone.example');
    const q = (await checklist(id)).json.questions;
    await answer(id, { answers: [{ questionId: q[0]?.id, answer: 'Coaching capacity' }], onBehalfOf: ben });

    const { context, page } = await signIn(stack, browser, 'ana@plan-phone.example');
    await page.goto(`${stack.publicUrl}/p/${id}`);
    await page.getByRole('link', { name: 'Planning checklist' }).click();
    const form = page.getByRole('form', { name: 'Answer the planning questions' });
    await expect.poll(() => form.isVisible()).toBe(true);
    await expectAccessible(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await expect.poll(() => page.getByText("The partner's answer: Coaching capacity").isVisible()).toBe(true);
    // A lead does not activate (no form); a NUL in an answer comes back with the mistake and writes nothing.
    expect(await page.getByRole('form', { name: 'Activate the partnership' }).count()).toBe(0);
    const first = form.getByLabel(q[0]?.text as string);
    await first.fill('Reading\u0000');
    await form.getByRole('button', { name: 'Save the answers' }).click();
    await expect.poll(() => page.getByText('must not contain the NUL character').first().isVisible()).toBe(true);
    expect(await stack.database.db.planningAnswer.count({ where: { questionId: q[0]?.id, side: 'district' } })).toBe(0);
    await first.fill('Third-grade reading');
    await form.getByRole('button', { name: 'Save the answers' }).click();
    await expect.poll(() => page.getByText('Your answers are saved.').isVisible()).toBe(true);
    expect(await page.getByText('2 of 12 answers given').isVisible()).toBe(true);
    await context.close();

    // The sponsor manages it: activating without ticking the box names what is missing, ticking it activates.
    const admin = await signIn(stack, browser, 'sue@plan-phone.example');
    await admin.page.goto(`${stack.publicUrl}/p/${id}/planning`);
    const activate = admin.page.getByRole('form', { name: 'Activate the partnership' });
    await expect.poll(() => activate.isVisible()).toBe(true);
    await activate.getByRole('button', { name: 'Activate' }).click();
    await expect
      .poll(() =>
        admin.page
          .getByText(/10 answers to the planning questions are missing/)
          .first()
          .isVisible(),
      )
      .toBe(true);
    expect((await stack.database.db.partnership.findUniqueOrThrow({ where: { id } })).status).toBe('planning');
    await activate.getByLabel('Activate although 10 answers are missing').check();
    await activate.getByRole('button', { name: 'Activate' }).click();
    await expect.poll(() => admin.page.getByText('The partnership is active').isVisible()).toBe(true);
    await waitFor(
      'the partnership active',
      async () => (await stack.database.db.partnership.findUniqueOrThrow({ where: { id } })).status === 'active',
    );
    await admin.context.close();
  });

  it("lets a district's admin keep its own questions on a phone: change one, stop asking one, add one", async () => {
    await createAdmin(stack.database, { kind: 'command_line', name: 'test' }, { email: 'root@plan.example' });
    const district = await stack.districtWithKey('Template USD');
    const { context, page } = await signIn(stack, browser, 'root@plan.example');
    await page.goto(`${stack.publicUrl}/dashboard`);
    await page.getByRole('link', { name: 'Planning questions' }).click();
    await page.getByLabel('Whose questions').selectOption(`district:${district.id}`);
    await page.getByRole('button', { name: 'Show' }).click();
    const form = page.getByRole('form', { name: 'Save the planning questions' });
    await expect.poll(() => form.isVisible()).toBe(true);
    await expectAccessible(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    const question = (n: number) => form.getByRole('group', { name: `Question ${n}` });
    expect(await question(1).getByLabel('The question').inputValue()).toBe(DEFAULT_PLANNING_QUESTIONS[0]?.text);
    await question(1).getByLabel('The question').fill('Which schools asked for this, and why now?');
    await question(2).getByLabel('The question').fill('');
    await question(7).getByLabel('About').selectOption('communication');
    await question(7).getByLabel('The question').fill('Who writes the monthly note to the board?');
    await form.getByRole('button', { name: 'Save the questions' }).click();
    await expect.poll(() => page.getByText('The planning questions are saved.').isVisible()).toBe(true);
    const kept = await stack.call<{ own: boolean; questions: { topic: string; text: string }[] }>(
      district.key,
      'GET',
      `/organizations/${district.id}/planning-template`,
    );
    expect(kept.json.own).toBe(true);
    expect(kept.json.questions.map((q) => q.text)).toEqual([
      'Which schools asked for this, and why now?',
      ...DEFAULT_PLANNING_QUESTIONS.slice(2).map((q) => q.text),
      'Who writes the monthly note to the board?',
    ]);
    expect(kept.json.questions.at(-1)?.topic).toBe('communication');
    await context.close();
  });
});

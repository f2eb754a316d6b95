import { describe, expect, it } from 'vitest';
import { listCapturedMail } from '../../lib/mail/capture.js';
import { type ApiStack, useApiStack } from '../support/api-stack.js';
import { useBrowser } from '../support/browser.js';
import { waitFor } from '../support/mailbox.js';
import { expectAccessible, follow, mailTo } from '../support/web.js';

/**
 * The loops the people in a partnership live in, on the real stack (Temporal dev server, worker,
 * PostgreSQL, SMTP capture) and in a real Chromium: a message arrives, its recipient opens the link
 * in it with no session and no key, does what it asks, and the workflow takes it from there.
 * Schedules are seconds long.
 */
const stack: ApiStack = useApiStack('tandem-web-loops');
const soon = (ms: number) => new Date(Date.now() + ms).toISOString();

let n = 0;
async function partnership(opts: { firstReviewInMs?: number; reminderOffsets?: string[]; policy?: object } = {}) {
  n += 1;
  const who = (name: string) => `${name}.${n}@loops.example`;
  const res = await stack.call<{ id: string; firstReview: { id: string } }>(stack.adminKey, 'POST', '/partnerships', {
    name: `Riverside literacy ${n}`,
    district: { name: `Riverside USD ${n}` },
    partner: { name: `Reading Partners ${n}` },
    timeZone: 'America/Chicago',
    firstReviewAt: soon(opts.firstReviewInMs ?? 3_600_000),
    reminderOffsets: opts.reminderOffsets ?? ['P1D'],
    policy: opts.policy ?? {},
    members: [
      { name: 'Ana Diaz', email: who('ana'), role: 'district_lead' },
      { name: 'Ben Ode', email: who('ben'), role: 'partner_lead' },
      { name: 'Cal Moss', email: who('cal'), role: 'participant' },
      { name: 'Sam Reyes', email: who('sam'), role: 'executive_sponsor' },
    ],
  });
  expect(res.status, res.text).toBe(201);
  const { id, firstReview } = res.json;
  expect(await stack.reviewPlanned(id)).toBe(firstReview.id);
  const people = await stack.database.db.person.findMany({ where: { email: { endsWith: `.${n}@loops.example` } } });
  const person = (name: string) => people.find((p) => p.email === who(name)) as (typeof people)[number];
  return { id, reviewId: firstReview.id, ana: person('ana'), ben: person('ben'), cal: person('cal'), sam: person('sam') };
}

describe('from a message to the page that does what it asks, in Chromium', () => {
  const browser = useBrowser();

  it('a participant answers the reflection prompt from its link; their reminders stop and the leads’ summary counts the answer', async () => {
    const p = await partnership({ policy: { reflectionReminders: ['PT20S'], reflectionWindow: 'PT40S' } });
    const held = await stack.call(stack.adminKey, 'POST', `/partnerships/${p.id}/reviews/${p.reviewId}/outcome`, {
      outcome: 'held',
      notes: 'Walkthroughs',
    });
    expect(held.status, held.text).toBe(200);

    const prompt = await mailTo(stack, p.cal.email, /^Reflect on review #1/);
    const page = await follow(browser, prompt);
    expect(new URL(page.url()).pathname).toBe(`/p/${p.id}/reviews/${p.reviewId}/reflection`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Your reflection on review #1');
    await expectAccessible(page);
    await page.getByLabel('What worked?').fill('The walkthrough protocol gave us shared evidence.');
    await page.getByLabel("What didn't?").fill('We ran out of time for the data.');
    await page.getByLabel('How could it be improved?').fill('Send the data a week before.');
    await page.getByRole('button', { name: 'Send my reflection' }).click();
    await expect.poll(() => page.locator('.flash').textContent()).toMatch(/your reflection is saved/);
    // Still open: the answers are shown again, to be changed.
    expect(await page.getByLabel('What worked?').inputValue()).toBe('The walkthrough protocol gave us shared evidence.');

    const db = stack.database.db;
    const row = await db.reflection.findUniqueOrThrow({ where: { reviewId_personId: { reviewId: p.reviewId, personId: p.cal.id } } });
    expect([row.submittedAt !== null, row.howToImprove]).toEqual([true, 'Send the data a week before.']);
    const event = await db.partnershipEvent.findFirstOrThrow({ where: { partnershipId: p.id, type: 'reflection.submitted' } });
    expect([event.actor, event.actorId, event.actorName]).toEqual(['person', p.cal.id, 'Cal Moss']);

    // The reminder goes to those who have not answered, not to Cal; the leads' summary counts Cal.
    const summary = await mailTo(stack, p.ana.email, /^Reflections on review #1/);
    expect(summary.subject).toMatch(/1 of 4 answered/);
    const reminders = (await listCapturedMail(stack.mailCaptureDir)).filter(
      (m) => m.subject === `Reminder: reflect on review #1 of Riverside literacy ${n}`,
    );
    const reminded = reminders.flatMap((m) => m.envelopeTo);
    expect(reminded).toEqual(expect.arrayContaining([p.ana.email, p.ben.email, p.sam.email]));
    expect(reminded).not.toContain(p.cal.email);
  });

  it('the owner marks a commitment done from its overdue notice, and no escalation follows', async () => {
    const p = await partnership({ policy: { deadlineReminders: ['PT2S'], deadlineEscalations: [{ after: 'PT15S', to: 'leads' }] } });
    const created = await stack.call<{ id: string }>(stack.adminKey, 'POST', `/partnerships/${p.id}/commitments`, {
      ownerEmail: p.ben.email,
      side: 'partner',
      description: 'Share the coaching logs',
      dueAt: soon(5_000),
    });
    expect(created.status, created.text).toBe(201);
    const overdue = await mailTo(stack, p.ben.email, /^Overdue: Share the coaching logs/);
    const page = await follow(browser, overdue);
    expect(new URL(page.url()).pathname).toBe(`/p/${p.id}/commitments/${created.json.id}`);
    await expectAccessible(page);
    await page.getByLabel('Note (optional)').fill('Uploaded to the shared drive.');
    await page.getByRole('button', { name: 'Mark it done' }).click();
    await expect.poll(() => page.locator('.flash').textContent()).toMatch(/Marked done/);

    const db = stack.database.db;
    const handle = stack.temporal.workflow.getHandle(`commitment:${created.json.id}`);
    await waitFor('the commitment’s workflow to end', async () => (await handle.describe()).status.name === 'COMPLETED');
    const row = await db.commitment.findUniqueOrThrow({ where: { id: created.json.id } });
    expect([row.status, row.closeNote]).toEqual(['done', 'Uploaded to the shared drive.']);
    const done = await db.partnershipEvent.findFirstOrThrow({ where: { partnershipId: p.id, type: 'commitment.done' } });
    expect([done.actor, done.actorName, done.onBehalfOfName]).toEqual(['person', 'Ben Ode', null]);
    // The workflow that would have escalated has ended: no escalation was or will be sent.
    expect(await db.emailOutbox.count({ where: { partnershipId: p.id, template: 'commitment-escalation' } })).toBe(0);
  });

  it('the owner submits evidence, with a file, from its reminder', async () => {
    const p = await partnership({ policy: { deadlineReminders: ['PT25S'] } });
    const created = await stack.call<{ id: string }>(stack.adminKey, 'POST', `/partnerships/${p.id}/evidence-requests`, {
      ownerEmail: p.cal.email,
      description: 'Grade 4 walkthrough notes',
      kinds: ['observation'],
      dueAt: soon(30_000),
    });
    expect(created.status, created.text).toBe(201);
    const reminder = await mailTo(stack, p.cal.email, /^Due soon: Grade 4 walkthrough notes/);
    const page = await follow(browser, reminder);
    expect(new URL(page.url()).pathname).toBe(`/p/${p.id}/evidence/${created.json.id}`);
    await expectAccessible(page);
    await page.getByLabel('Or a text (optional)').fill('Three of four classrooms used the protocol.');
    await page.getByLabel('Or a file (optional)').setInputFiles({
      name: 'walkthrough notes.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('classroom,used protocol\n4A,yes\n4B,yes\n4C,no\n4D,yes\n'),
    });
    await page.getByRole('button', { name: 'Submit evidence' }).click();
    await expect.poll(() => page.locator('.flash').textContent()).toMatch(/the evidence is in/);

    const db = stack.database.db;
    const request = await db.evidenceRequest.findUniqueOrThrow({
      where: { id: created.json.id },
      include: { items: { include: { file: true } } },
    });
    expect(request.status).toBe('submitted');
    expect(request.items.map((i) => [i.text, i.file?.filename, i.file?.contentType, i.submittedById])).toEqual([
      ['Three of four classrooms used the protocol.', 'walkthrough notes.csv', 'text/csv', p.cal.id],
    ]);
    // The file comes back as a download to a member of the partnership.
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'walkthrough notes.csv' }).click();
    expect((await download).suggestedFilename()).toBe('walkthrough notes.csv');
  });

  it('a lead records the outcome of a review, with a new commitment, from the review reminder', async () => {
    const p = await partnership({ firstReviewInMs: 3_600_000, reminderOffsets: ['PT59M52S'] });
    const reminder = await mailTo(stack, p.ana.email, /^Reminder: review #1/);
    const page = await follow(browser, reminder);
    expect(new URL(page.url()).pathname).toBe(`/p/${p.id}/reviews/${p.reviewId}`);
    await expectAccessible(page);
    await page.getByLabel('It was held', { exact: true }).check();
    await page.getByLabel('Notes').fill('Looked at the walkthrough data together.');
    await page.getByLabel('Decisions').fill('Keep the walkthroughs\nAdd a data day');
    await page.getByLabel('Commitment 1').fill('Draft the data-day agenda');
    await page.locator('select[name="c0.owner"]').selectOption({ label: 'Ben Ode (partner)' });
    await page.locator('select[name="c0.side"]').selectOption('partner');
    await page.locator('input[name="c0.due"]').fill(new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10));
    // One row of each to start with; the form grows a row at a time and keeps what was typed.
    expect(await page.locator('input[name="c1.description"]').count()).toBe(0);
    await page.getByRole('button', { name: 'Add another commitment' }).click();
    await page.getByLabel('Commitment 2').fill('Book the data-day room');
    expect(await page.getByLabel('Commitment 1').inputValue()).toBe('Draft the data-day agenda');
    expect(await page.getByLabel('Notes').inputValue()).toBe('Looked at the walkthrough data together.');
    // Left at "The owner's side", the commitment is on its owner's side.
    await page.locator('select[name="c1.owner"]').selectOption({ label: 'Ben Ode (partner)' });
    await page.locator('input[name="c1.due"]').fill(new Date(Date.now() + 21 * 86_400_000).toISOString().slice(0, 10));
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Record the outcome' }).click();
    await expect.poll(() => page.locator('.flash').textContent()).toMatch(/recorded as held/);
    // The review's own page shows what it decided.
    expect(await page.locator('section[aria-labelledby="decisions"] li').allTextContents()).toEqual([
      'Keep the walkthroughs',
      'Add a data day',
    ]);

    const db = stack.database.db;
    const review = await db.review.findUniqueOrThrow({ where: { id: p.reviewId } });
    expect([review.status, review.notes, review.decisions]).toEqual([
      'held',
      'Looked at the walkthrough data together.',
      ['Keep the walkthroughs', 'Add a data day'],
    ]);
    const [commitment, second] = await db.commitment.findMany({ where: { partnershipId: p.id }, orderBy: { dueAt: 'asc' } });
    expect([commitment?.description, commitment?.ownerId, commitment?.side]).toEqual(['Draft the data-day agenda', p.ben.id, 'partner']);
    expect([second?.description, second?.ownerId, second?.side]).toEqual(['Book the data-day room', p.ben.id, 'partner']);
    const held = await db.partnershipEvent.findFirstOrThrow({ where: { partnershipId: p.id, type: 'review.held' } });
    expect([held.actor, held.actorName]).toEqual(['person', 'Ana Diaz']);
    await waitFor('the pledge’s workflow', async () =>
      stack.temporal.workflow
        .getHandle(`commitment:${commitment?.id}`)
        .describe()
        .then((d) => d.status.name === 'RUNNING')
        .catch(() => false),
    );
  });

  it('a review days away may be recorded as skipped, not as held: the page offers only that', async () => {
    const p = await partnership({ firstReviewInMs: 3 * 86_400_000 });
    const page = await follow(browser, await mailTo(stack, p.ana.email, /^Invitation: /));
    expect(new URL(page.url()).pathname).toBe(`/p/${p.id}/reviews/${p.reviewId}`);
    expect(await page.getByLabel('It was held', { exact: true }).count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'If it will not take place' }).isVisible()).toBe(true);
    await expectAccessible(page);
    await page.getByLabel('Why it is skipped').fill('The superintendent is at the state conference');
    await page.getByRole('button', { name: 'Record it as skipped' }).click();
    await expect.poll(() => page.locator('.flash').textContent()).toMatch(/recorded as skipped/);
    const review = await stack.database.db.review.findUniqueOrThrow({ where: { id: p.reviewId } });
    expect([review.status, review.skipReason]).toEqual(['skipped', 'The superintendent is at the state conference']);
  });
});

import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { wakeMailbox } from '../../activities/mail/mailbox.js';
import { type ApiStack, useApiStack } from '../support/api-stack.js';
import { phone, useBrowser } from '../support/browser.js';
import { waitFor } from '../support/mailbox.js';
import { actionLink, expectAccessible, follow, mailTo } from '../support/web.js';

/**
 * Every message Tandem sends, one test each: its link, opened by its recipient in Chromium with no
 * session and no key, reaches the page where they do what it asks, and that page passes axe-core.
 * Two partnerships on a schedule of seconds produce them all.
 */
const TASK_QUEUE = 'tandem-web-templates';
const stack: ApiStack = useApiStack(TASK_QUEUE);
const soon = (ms: number) => new Date(Date.now() + ms).toISOString();
const email = (who: string) => `${who}@templates.example`;

interface World {
  /** Held at once: reflections, deadlines, pause, resume, end. */
  held: { id: string; reviewId: string; commitmentId: string; evidenceId: string };
  /** Left to be missed, then recorded late. */
  missed: { id: string; reviewId: string };
}

async function create(name: string, over: object) {
  const res = await stack.call<{ id: string; firstReview: { id: string } }>(stack.adminKey, 'POST', '/partnerships', {
    name,
    district: { name: `${name} USD` },
    partner: { name: `${name} Partners` },
    timeZone: 'America/New_York',
    members: [
      { name: 'Ana Diaz', email: email(`ana.${name.toLowerCase()}`), role: 'district_lead' },
      { name: 'Ben Ode', email: email(`ben.${name.toLowerCase()}`), role: 'partner_lead' },
      { name: 'Cal Moss', email: email(`cal.${name.toLowerCase()}`), role: 'participant', side: 'partner' },
      { name: 'Sam Reyes', email: email(`sam.${name.toLowerCase()}`), role: 'executive_sponsor' },
    ],
    ...over,
  });
  expect(res.status, res.text).toBe(201);
  const { id, firstReview } = res.json;
  await waitFor(`${name}'s review to be planned`, async () => {
    const live = await stack.call<{ currentReview: { id: string } | null }>(stack.adminKey, 'GET', `/partnerships/${id}/live`);
    return live.json.currentReview?.id === firstReview.id;
  });
  return { id, reviewId: firstReview.id };
}

async function heading(page: Page) {
  await page.waitForLoadState('load');
  return (await page.locator('h1').textContent())?.trim();
}

describe('the link in every message leads its recipient to the page that does what it asks', () => {
  const browser = useBrowser();
  let world: World;

  beforeAll(async () => {
    const missed = await create('Maple', { firstReviewAt: soon(8_000), reminderOffsets: ['PT4S'], outcomeGrace: 'PT3S' });
    const held = await create('Cedar', {
      goals: 'Every K-3 classroom runs a daily literacy block',
      engagementPathway: 'whole_school',
      firstReviewAt: soon(3_600_000),
      reminderOffsets: ['PT59M55S'],
      policy: {
        reflectionReminders: ['PT6S'],
        reflectionWindow: 'PT45S',
        deadlineReminders: ['PT4S'],
        deadlineEscalations: [{ after: 'PT4S', to: 'leads' }],
      },
    });
    // Cal reads reminders once a day: their digest is sent on cue, below.
    const cal = await stack.database.db.person.findUniqueOrThrow({ where: { email: email('cal.cedar') } });
    const digest = await stack.call(stack.adminKey, 'PATCH', `/people/${cal.id}/mail-settings`, { delivery: 'daily_digest' });
    expect(digest.status, digest.text).toBe(200);
    const outcome = await stack.call(stack.adminKey, 'POST', `/partnerships/${held.id}/reviews/${held.reviewId}/outcome`, {
      outcome: 'held',
      notes: 'Good start',
    });
    expect(outcome.status, outcome.text).toBe(200);
    const deadline = { dueAt: soon(8_000) };
    const c = await stack.call<{ id: string }>(stack.adminKey, 'POST', `/partnerships/${held.id}/commitments`, {
      ...deadline,
      ownerEmail: email('sam.cedar'),
      side: 'district',
      description: 'Share the coaching calendar',
    });
    // Cal's reminder about this one waits for the digest.
    await stack.call(stack.adminKey, 'POST', `/partnerships/${held.id}/commitments`, {
      ...deadline,
      ownerEmail: email('cal.cedar'),
      side: 'partner',
      description: 'Bring the data protocol',
    });
    const e = await stack.call<{ id: string }>(stack.adminKey, 'POST', `/partnerships/${held.id}/evidence-requests`, {
      ...deadline,
      ownerEmail: email('ben.cedar'),
      description: 'Teacher survey results',
      kinds: ['survey'],
    });
    world = { held: { ...held, commitmentId: c.json.id, evidenceId: e.json.id }, missed };
  });

  it('review-invitation: the review and its agenda', async () => {
    const page = await follow(browser, await mailTo(stack, email('cal.maple'), /^Invitation: review #1 of Maple/));
    expect(new URL(page.url()).pathname).toBe(`/p/${world.missed.id}/reviews/${world.missed.reviewId}`);
    expect(await heading(page)).toBe('Review #1');
    await expect(page.getByRole('heading', { name: 'On the agenda' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
  });

  it('review-reminder: the review, where a lead records its outcome', async () => {
    const page = await follow(browser, await mailTo(stack, email('ana.maple'), /^Reminder: review #1 of Maple/));
    expect(await heading(page)).toBe('Review #1');
    await expect(page.getByRole('button', { name: 'Record the outcome' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
  });

  it('review-missed: the review, where a lead records it late', async () => {
    const page = await follow(browser, await mailTo(stack, email('sam.maple'), /^Missed: review #1 of Maple/));
    expect(new URL(page.url()).pathname).toBe(`/p/${world.missed.id}/reviews/${world.missed.reviewId}`);
    await expect(page.getByRole('heading', { name: 'Record it late' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await page.getByLabel('It was skipped', { exact: true }).check();
    await page.getByLabel('Why it was skipped').fill('Snow day; we met informally instead');
    await page.getByRole('button', { name: 'Record the outcome' }).click();
    await expect.poll(() => page.locator('.flash').textContent()).toMatch(/recorded as skipped/);
    const review = await stack.database.db.review.findUniqueOrThrow({ where: { id: world.missed.reviewId } });
    expect([review.status, review.skipReason]).toEqual(['skipped', 'Snow day; we met informally instead']);
    const late = await stack.database.db.partnershipEvent.findFirstOrThrow({
      where: { idempotencyKey: `review:${review.id}:outcome:late` },
    });
    expect([late.type, late.actorName]).toEqual(['review.skipped', 'Sam Reyes']);
  });

  it('reflection-prompt: the reflection form', async () => {
    const page = await follow(browser, await mailTo(stack, email('ana.cedar'), /^Reflect on review #1 of Cedar/));
    expect(new URL(page.url()).pathname).toBe(`/p/${world.held.id}/reviews/${world.held.reviewId}/reflection`);
    await expect(page.getByRole('button', { name: 'Send my reflection' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
  });

  it('reflection-reminder: the reflection form', async () => {
    const page = await follow(browser, await mailTo(stack, email('ben.cedar'), /^Reminder: reflect on review #1 of Cedar/));
    expect(await heading(page)).toBe('Your reflection on review #1');
    await expect(page.getByLabel('What worked?').isEditable()).resolves.toBe(true);
    await expectAccessible(page);
  });

  it('commitment-reminder: the commitment, to mark done', async () => {
    const page = await follow(browser, await mailTo(stack, email('sam.cedar'), /^Due soon: Share the coaching calendar/));
    expect(new URL(page.url()).pathname).toBe(`/p/${world.held.id}/commitments/${world.held.commitmentId}`);
    await expect(page.getByRole('button', { name: 'Mark it done' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
  });

  it('commitment-overdue: the commitment, to mark done or ask for more time', async () => {
    const page = await follow(browser, await mailTo(stack, email('sam.cedar'), /^Overdue: Share the coaching calendar/));
    expect(new URL(page.url()).pathname).toBe(`/p/${world.held.id}/commitments/${world.held.commitmentId}`);
    await expect(page.getByRole('button', { name: 'Mark it done' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Move the due date' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
  });

  it('commitment-escalation: the commitment, which a lead may close for its owner', async () => {
    const page = await follow(browser, await mailTo(stack, email('ana.cedar'), /^Still overdue: Share the coaching calendar/));
    expect(new URL(page.url()).pathname).toBe(`/p/${world.held.id}/commitments/${world.held.commitmentId}`);
    await expect(page.getByText('You are a lead of this partnership').isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Drop the commitment' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
  });

  it('commitment-escalation to its owner: speaks to them, and leads to where they act', async () => {
    const mail = await mailTo(stack, email('sam.cedar'), /^Still overdue: Share the coaching calendar$/);
    expect(mail.text).toContain('Your commitment in Cedar was due on');
    expect(mail.text).not.toContain('owned by Sam Reyes');
    const page = await follow(browser, mail);
    expect(new URL(page.url()).pathname).toBe(`/p/${world.held.id}/commitments/${world.held.commitmentId}`);
    await expect(page.getByRole('button', { name: 'Mark it done' }).isVisible()).resolves.toBe(true);
  });

  it('evidence-reminder: the request, to submit evidence', async () => {
    const page = await follow(browser, await mailTo(stack, email('ben.cedar'), /^Due soon: Teacher survey results/));
    expect(new URL(page.url()).pathname).toBe(`/p/${world.held.id}/evidence/${world.held.evidenceId}`);
    await expect(page.getByRole('button', { name: 'Submit evidence' }).isVisible()).resolves.toBe(true);
    await expect(page.getByLabel('Or a file (optional)').isVisible()).resolves.toBe(true);
    await expectAccessible(page);
  });

  it('evidence-overdue: the request, to submit evidence or ask for more time', async () => {
    const page = await follow(browser, await mailTo(stack, email('ben.cedar'), /^Overdue: Teacher survey results/));
    expect(new URL(page.url()).pathname).toBe(`/p/${world.held.id}/evidence/${world.held.evidenceId}`);
    await expect(page.getByRole('button', { name: 'Submit evidence' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Move the due date' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
  });

  it('evidence-escalation: the request, which a lead may waive', async () => {
    const page = await follow(browser, await mailTo(stack, email('ana.cedar'), /^Still overdue: Teacher survey results/));
    await expect(page.getByRole('button', { name: 'Waive the request' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
  });

  it('digest: each reminder in it leads to its page', async () => {
    const cal = await stack.database.db.person.findUniqueOrThrow({ where: { email: email('cal.cedar') } });
    // Held for the digest hour: brought forward to now, and the mailbox told, as its workflow would be then.
    await waitFor(
      'reminders held for the digest',
      async () => (await stack.database.db.emailOutbox.count({ where: { personId: cal.id, status: 'held' } })) > 0,
    );
    await stack.database.db.emailOutbox.updateMany({ where: { personId: cal.id, status: 'held' }, data: { sendAfter: new Date() } });
    await wakeMailbox(stack.temporal, TASK_QUEUE, cal.id);
    const digest = await mailTo(stack, cal.email, /^Your Tandem digest/);
    const page = await follow(browser, digest);
    expect(new URL(page.url()).pathname).toMatch(new RegExp(`^/p/${world.held.id}/`));
    await expectAccessible(page);
  });

  it('reflection-summary: the review, with the reflections', async () => {
    const page = await follow(browser, await mailTo(stack, email('ben.cedar'), /^Reflections on review #1 of Cedar/));
    expect(new URL(page.url()).pathname).toBe(`/p/${world.held.id}/reviews/${world.held.reviewId}`);
    await expect(page.getByRole('heading', { name: 'The last reflections' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
  });

  for (const [template, path, body, subject] of [
    ['partnership-paused', 'pause', { reason: 'Budget review' }, /^Cedar is paused/],
    ['partnership-resumed', 'resume', undefined, /^Cedar is active again/],
    ['partnership-ended', 'end', { outcome: 'ended_early', reason: 'Grant ended' }, /^Cedar is ended/],
  ] as const) {
    it(`${template}: the partnership`, async () => {
      const res = await stack.call(stack.adminKey, 'POST', `/partnerships/${world.held.id}/${path}`, body);
      expect(res.status, res.text).toBe(200);
      const page = await follow(browser, await mailTo(stack, email('sam.cedar'), subject));
      expect(new URL(page.url()).pathname).toBe(`/p/${world.held.id}`);
      expect(await heading(page)).toBe('Cedar');
      // The partnership record, for every member to see.
      expect(await page.locator('dl.record').textContent()).toMatch(
        /Goals\s*Every K-3 classroom runs a daily literacy block\s*Engagement pathway\s*Whole school/,
      );
      await expectAccessible(page);
    });
  }

  it('review-cancelled: the review, marked skipped', async () => {
    const birch = await create('Birch', { firstReviewAt: soon(3 * 86_400_000) });
    const skipped = await stack.call(stack.adminKey, 'POST', `/partnerships/${birch.id}/reviews/${birch.reviewId}/outcome`, {
      outcome: 'skipped',
      reason: 'state testing week',
    });
    expect(skipped.status, skipped.text).toBe(200);
    const page = await follow(browser, await mailTo(stack, email('cal.birch'), /^Cancelled: review #1 of Birch/));
    expect(new URL(page.url()).pathname).toBe(`/p/${birch.id}/reviews/${birch.reviewId}`);
    await expect(page.locator('.badge-skipped').first().isVisible()).resolves.toBe(true);
    await expectAccessible(page);
  });

  it('sign-in: the link someone asked for at the sign-in page signs them in', async () => {
    const { page } = await phone(browser);
    await page.goto(`${stack.publicUrl}/p/${world.held.id}`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await expectAccessible(page);
    await page.getByLabel('Your email address').fill(email('Cal.Cedar'));
    await page.getByRole('button', { name: 'Send me a sign-in link' }).click();
    expect(await heading(page)).toBe('Check your email');
    await expectAccessible(page);
    const mail = await mailTo(stack, email('cal.cedar'), /^Your Tandem sign-in link/);
    expect(new URL(actionLink(mail)).pathname).toBe(`/p/${world.held.id}`);
    const signedIn = await follow(browser, mail);
    expect(await heading(signedIn)).toBe('Cedar');
    await signedIn.goto(`${stack.publicUrl}/`);
    expect(await heading(signedIn)).toBe('My work');
    await expectAccessible(signedIn);
  });
});

import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { redactSentCopies } from '../../core/mail/redact-links.js';
import { createAdmin } from '../../core/people/identity.js';
import { listCapturedMail } from '../../lib/mail/capture.js';
import { type ApiStack, useApiStack } from '../support/api-stack.js';
import { phone, useBrowser } from '../support/browser.js';
import { waitFor } from '../support/mailbox.js';
import { scrapeValue } from '../support/metrics.js';
import { actionLink, follow, mailTo, signIn } from '../support/web.js';

/**
 * What the sign-in and the rights promise, tried as someone would who should not get through: a
 * link or session used as someone else, expired and reused links, forged forms, too many sign-in
 * requests, a participant looking at another partnership or recording an outcome, the sign-in page
 * telling who is known, one district's key changing another district's person's address.
 */
const stack: ApiStack = useApiStack('tandem-web-security');
const soon = (ms: number) => new Date(Date.now() + ms).toISOString();
const email = (who: string) => `${who}@security.example`;

async function partnership(name: string, district: string) {
  const res = await stack.call<{ id: string; firstReview: { id: string } }>(stack.adminKey, 'POST', '/partnerships', {
    name,
    district: { name: district },
    partner: { name: `${name} Partners` },
    timeZone: 'America/Chicago',
    firstReviewAt: soon(3_600_000),
    members: [
      { name: 'Ana Diaz', email: email(`ana.${name}`), role: 'district_lead' },
      { name: 'Cal Moss', email: email(`cal.${name}`), role: 'participant' },
    ],
  });
  expect(res.status, res.text).toBe(201);
  // The review the workflow planned is the one the partnership's answer named (an outcome sent before
  // the plan is known waits for it in the workflow; this test records it once the plan is there).
  expect(await stack.reviewPlanned(res.json.id)).toBe(res.json.firstReview.id);
  return { id: res.json.id, reviewId: res.json.firstReview.id };
}

/**
 * Posts a hand-made form from inside the page, as a forged or replayed submission would arrive
 * (the browser's own cookies, our host name). Returns the status and the body.
 */
async function postForm(page: Page, path: string, fields: Record<string, string>) {
  return page.evaluate(
    async ({ url, body }) => {
      const res = await fetch(url, { method: 'POST', body: new URLSearchParams(body), redirect: 'manual' });
      return { status: res.status, text: await res.text() };
    },
    { url: `${stack.publicUrl}${path}`, body: fields },
  );
}

const h1 = async (page: Page) => (await page.locator('h1').textContent())?.trim();

describe('sign-in and rights, against someone who should not get through', () => {
  const browser = useBrowser();
  let one: { id: string; reviewId: string };
  let other: { id: string; reviewId: string };
  beforeAll(async () => {
    one = await partnership('Oak', 'Oak USD');
    other = await partnership('Elm', 'Elm USD');
  });

  it('shows a participant nothing of a partnership they are not in (404), and not even that it exists', async () => {
    const { page } = await signIn(stack, browser, email('cal.Oak'));
    for (const path of [
      `/p/${other.id}`,
      `/p/${other.id}/reviews/${other.reviewId}`,
      `/p/${other.id}/reviews/${other.reviewId}/reflection`,
    ]) {
      const res = await page.goto(`${stack.publicUrl}${path}`);
      expect([path, res?.status()]).toEqual([path, 404]);
      expect(await page.content()).not.toContain('Elm');
    }
    // Their own partnership is there.
    expect((await page.goto(`${stack.publicUrl}/p/${one.id}`))?.status()).toBe(200);
  });

  it('refuses to let a participant who is not a lead record an outcome (403), and shows them no such form', async () => {
    const { page } = await signIn(stack, browser, email('cal.Oak'));
    await page.goto(`${stack.publicUrl}/p/${one.id}/reviews/${one.reviewId}`);
    expect(await page.getByRole('button', { name: 'Record the outcome' }).count()).toBe(0);
    const csrf = await page.locator('form[action="/sign-out"] input[name=_csrf]').inputValue();
    const res = await postForm(page, `/p/${one.id}/reviews/${one.reviewId}/outcome`, {
      _csrf: csrf,
      outcome: 'skipped',
      reason: 'I say so',
    });
    expect(res.status).toBe(403);
    expect(res.text).toContain("Only the partnership's leads may record a review's outcome");
    expect((await stack.database.db.review.findUniqueOrThrow({ where: { id: one.reviewId } })).status).toBe('scheduled');
  });

  it('refuses a form without its CSRF token, or with another browser’s, and changes nothing', async () => {
    const { page } = await signIn(stack, browser, email('ana.Oak'));
    const { page: elsewhere } = await phone(browser);
    await elsewhere.goto(`${stack.publicUrl}/sign-in`);
    const foreign = await elsewhere.locator('input[name=_csrf]').first().inputValue();
    for (const token of [undefined, foreign, 'forged']) {
      const res = await postForm(page, `/p/${one.id}/reviews/${one.reviewId}/outcome`, {
        ...(token && { _csrf: token }),
        outcome: 'skipped',
        reason: 'Forged',
      });
      expect([token, res.status]).toEqual([token, 403]);
      expect(res.text).toContain('This form has expired');
    }
    expect((await stack.database.db.review.findUniqueOrThrow({ where: { id: one.reviewId } })).status).toBe('scheduled');
  });

  it("shows each member's reflection to the leads only, as the form promises, and to the others how many answered", async () => {
    const p = await partnership('Ash', 'Ash USD');
    const held = await stack.call(stack.adminKey, 'POST', `/partnerships/${p.id}/reviews/${p.reviewId}/outcome`, { outcome: 'held' });
    expect(held.status, held.text).toBe(200);
    const db = stack.database.db;
    await waitFor('the prompts', async () => (await db.reflection.count({ where: { reviewId: p.reviewId } })) === 2);
    const ana = await db.person.findUniqueOrThrow({ where: { email: email('ana.ash') } });
    await db.reflection.updateMany({
      where: { reviewId: p.reviewId, personId: ana.id },
      data: { whatWorked: 'Ana says the walkthroughs worked', whatDidnt: 'Time', howToImprove: 'Earlier data', submittedAt: new Date() },
    });
    // Cal, a participant, has not written his own yet: he cannot read Ana's, on either page.
    const { page } = await signIn(stack, browser, email('cal.Ash'));
    for (const path of [`/p/${p.id}`, `/p/${p.id}/reviews/${p.reviewId}`]) {
      await page.goto(`${stack.publicUrl}${path}`);
      const text = await page.locator('main').textContent();
      expect(text, path).not.toContain('Ana says the walkthroughs worked');
    }
    await page.goto(`${stack.publicUrl}/p/${p.id}`);
    expect(await page.locator('.reflections h3').first().textContent()).toMatch(/1 of 2 answered/);
    // Ana, a lead, sees the answers with names.
    const lead = await signIn(stack, browser, email('ana.Ash'));
    await lead.page.goto(`${stack.publicUrl}/p/${p.id}`);
    expect(await lead.page.locator('.reflections').first().textContent()).toContain('Ana says the walkthroughs worked');
  });

  it('creates one partnership when its form is sent twice at once (a double click), and answers both with it', async () => {
    await createAdmin(stack.database, { kind: 'command_line', name: 'test' }, { email: email('root') });
    const { page } = await signIn(stack, browser, email('root'));
    await page.goto(`${stack.publicUrl}/dashboard/new`);
    await page.getByLabel('Name of the partnership').fill('Twice-clicked literacy');
    await page.getByLabel('District', { exact: true }).fill('Twice USD');
    await page.getByLabel('Partner organization').fill('Twice Partners');
    await page.getByLabel('District lead').fill(`Ida Moss <${email('ida')}>`);
    await page.getByLabel('Time zone').selectOption('America/Chicago');
    await page.getByLabel('First review').fill(DateTime.now().plus({ months: 2 }).toFormat("yyyy-LL-dd'T'15:30"));
    // The same form, sent twice before the first answers, as a double click sends it.
    const answers = await page.evaluate(async (url) => {
      const form = document.querySelector('form[aria-label="New partnership"]') as HTMLFormElement;
      const body = () => {
        const data = new URLSearchParams(new FormData(form) as unknown as Record<string, string>);
        data.set('action', 'create');
        return data;
      };
      const send = () =>
        fetch(url, { method: 'POST', body: body(), redirect: 'manual' }).then((r) => [r.status, r.headers.get('location')]);
      return Promise.all([send(), send()]);
    }, `${stack.publicUrl}/dashboard/new`);
    expect(await stack.database.db.partnership.count({ where: { name: 'Twice-clicked literacy' } })).toBe(1);
    const created = await stack.database.db.partnership.findFirstOrThrow({ where: { name: 'Twice-clicked literacy' } });
    // Fetch sees the redirect as an opaque answer (status 0); both went to the one partnership's page.
    expect(answers.map((a) => a[0])).toEqual([0, 0]);
    await page.goto(`${stack.publicUrl}/p/${created.id}`);
    expect(await h1(page)).toBe('Twice-clicked literacy');
  });

  it('signs in only the person a link was sent to, once, and offers its recipient a fresh one when used or expired', async () => {
    const signIns = () => scrapeValue(stack.baseUrl, 'tandem_sign_ins_total', { method: 'link' });
    const signInsBefore = await signIns();
    // Ana asks for a link twice; each arrives.
    const ask = async () => {
      const before = new Set((await listCapturedMail(stack.mailCaptureDir)).map((m) => m.id));
      const { page } = await phone(browser);
      await page.goto(`${stack.publicUrl}/sign-in?next=/p/${one.id}`);
      await page.getByLabel('Your email address').fill(email('ana.Oak'));
      await page.getByRole('button', { name: 'Send me a sign-in link' }).click();
      return mailTo(stack, email('ana.Oak'), /^Your Tandem sign-in link/, (m) => !before.has(m.id));
    };
    const first = await ask();
    const cal = await stack.database.db.person.findUniqueOrThrow({ where: { email: email('cal.oak') } });
    // Naming someone else in the link changes nothing: its token signs in Ana, whoever it names.
    const tampered = new URL(actionLink(first));
    tampered.searchParams.set('u', cal.id);
    const { page } = await phone(browser);
    await page.goto(tampered.toString());
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${stack.publicUrl}/p/${one.id}`);
    expect(await page.locator('.who').textContent()).toBe('(Ana Diaz)');

    // Used once: the same link again, in another browser, does not sign in, and offers a fresh link.
    const again = await follow(browser, first);
    expect(await h1(again)).toBe('This link has expired or was used already');
    const signedOut = await again.goto(`${stack.publicUrl}/`);
    expect(new URL(signedOut?.url() ?? '').pathname).toBe('/sign-in');

    // Expired: its token's time is up (moved into the past here), so it does not sign in either.
    const second = await ask();
    const token = new URL(actionLink(second)).searchParams.get('t') as string;
    const identifier = `magic-link:${createHash('sha256').update(token).digest('base64url')}`;
    const expired = await stack.database.db.authVerification.updateMany({
      where: { identifier },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(expired.count).toBe(1);
    const late = await follow(browser, second);
    expect(await h1(late)).toBe('This link has expired or was used already');
    const before = new Set((await listCapturedMail(stack.mailCaptureDir)).map((m) => m.id));
    await late.getByRole('button', { name: 'Email me a fresh link' }).click();
    expect(await h1(late)).toBe('Check your email');
    const fresh = await mailTo(stack, email('ana.Oak'), /^Your Tandem sign-in link/, (m) => !before.has(m.id));
    const working = await follow(browser, fresh);
    expect(new URL(working.url()).pathname).toBe(`/p/${one.id}`);
    // Two sessions were opened (the first link, the fresh one); the used and the expired link opened none.
    expect((await signIns()) - signInsBefore).toBe(2);
  });

  it('keeps no working sign-in in the outbox once a link was sent: its redacted copy offers a fresh link, the one received still signs in', async () => {
    const before = new Set((await listCapturedMail(stack.mailCaptureDir)).map((m) => m.id));
    const { page } = await phone(browser);
    await page.goto(`${stack.publicUrl}/sign-in?next=/p/${one.id}`);
    await page.getByLabel('Your email address').fill(email('cal.Oak'));
    await page.getByRole('button', { name: 'Send me a sign-in link' }).click();
    const received = await mailTo(stack, email('cal.Oak'), /^Your Tandem sign-in link/, (m) => !before.has(m.id));
    const db = stack.database.db;
    const copy = await db.emailOutbox.findFirstOrThrow({
      where: { recipient: email('cal.oak'), template: 'sign-in', status: 'sent' },
      orderBy: { createdAt: 'desc' },
    });
    expect(copy.text).toContain(actionLink(received));
    // What the mail sweep does to a copy sent more than ten minutes ago (workflows/mail/sweep.ts).
    await db.emailOutbox.update({ where: { id: copy.id }, data: { sentAt: new Date(Date.now() - 11 * 60_000) } });
    while ((await redactSentCopies(db, { publicUrl: stack.publicUrl, sentBefore: new Date(Date.now() - 10 * 60_000), batch: 500 })) > 0);
    const kept = await db.emailOutbox.findUniqueOrThrow({ where: { id: copy.id } });
    expect(kept.text).not.toContain(new URL(actionLink(received)).searchParams.get('t'));
    // Someone with a dump of the database follows the copy's link: it signs no one in.
    const dumped = await follow(browser, { ...received, text: kept.text });
    expect(await h1(dumped)).toBe('This link has expired or was used already');
    expect(await dumped.getByRole('button', { name: 'Email me a fresh link' }).count()).toBe(1);
    expect(new URL((await dumped.goto(`${stack.publicUrl}/`))?.url() ?? '').pathname).toBe('/sign-in');
    // Cal's own copy, in Cal's mailbox, works.
    const working = await follow(browser, received);
    expect(new URL(working.url()).pathname).toBe(`/p/${one.id}`);
  });

  it('answers "send me a link" alike for a known and an unknown address', async () => {
    const answer = async (address: string) => {
      const { page } = await phone(browser);
      await page.goto(`${stack.publicUrl}/sign-in`);
      await page.getByLabel('Your email address').fill(address);
      const [res] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        page.getByRole('button', { name: 'Send me a sign-in link' }).click(),
      ]);
      return { status: res.status(), text: (await page.locator('main').innerHTML()).replace(/value="[^"]*"/g, '') };
    };
    const known = await answer(email('cal.Elm'));
    const unknown = await answer(email('nobody'));
    expect(unknown).toEqual(known);
    expect(known.status).toBe(200);
    // Only the known address got a message.
    await mailTo(stack, email('cal.elm'), /^Your Tandem sign-in link/);
    expect((await listCapturedMail(stack.mailCaptureDir)).some((m) => m.envelopeTo.includes(email('nobody')))).toBe(false);
  });

  it('sends at most five links an address a quarter-hour, and refuses an address-hopping IP after twenty requests', async () => {
    const post = async (address: string, page: Page) => {
      await page.goto(`${stack.publicUrl}/sign-in`);
      await page.getByLabel('Your email address').fill(address);
      const [res] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        page.getByRole('button', { name: 'Send me a sign-in link' }).click(),
      ]);
      return res.status();
    };
    const { page } = await phone(browser);
    const target = email('ana.Elm');
    const count = async () =>
      (await listCapturedMail(stack.mailCaptureDir)).filter(
        (m) => m.envelopeTo.includes(target.toLowerCase()) && m.subject.startsWith('Your Tandem sign-in link'),
      ).length;
    for (let i = 0; i < 7; i++) expect(await post(target, page)).toBe(200);
    await waitFor('five sign-in links', async () => (await count()) === 5);
    // Give any sixth or seventh a moment to arrive: none does.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await count()).toBe(5);
    // The IP has made its twenty requests by now (these tests share it): the next is refused openly.
    let status = 200;
    for (let i = 0; i < 25 && status === 200; i++) status = await post(email(`hop${i}`), page);
    expect(status).toBe(429);
  });

  it("does not let one district's key change the address of another district's person it lists in its own partnership", async () => {
    const districts = await stack.database.db.organization.findMany({ where: { kind: 'district', name: { in: ['Oak USD', 'Elm USD'] } } });
    const elm = districts.find((d) => d.name === 'Elm USD');
    const key = await stack.call<{ secret: string }>(stack.adminKey, 'POST', '/api-keys', {
      name: 'elm staff',
      role: 'district',
      organizationId: elm?.id,
    });
    // Elm lists Oak's Ana as a member of a partnership of its own...
    const res = await stack.call<{ id: string }>(key.json.secret, 'POST', '/partnerships', {
      name: 'Elm and Ana',
      district: { id: elm?.id },
      partner: { name: 'Elm Partners' },
      timeZone: 'America/Chicago',
      firstReviewAt: soon(86_400_000),
      members: [{ name: 'Ana Diaz', email: email('ana.Oak'), role: 'participant' }],
    });
    expect(res.status, res.text).toBe(201);
    const ana = await stack.database.db.person.findUniqueOrThrow({ where: { email: email('ana.oak') } });
    // ...and still may not redirect her mail.
    const change = await stack.call(key.json.secret, 'PATCH', `/people/${ana.id}/mail-settings`, { email: 'attacker@elm.example' });
    expect(change.status, change.text).toBe(403);
    expect((await stack.database.db.person.findUniqueOrThrow({ where: { id: ana.id } })).email).toBe(email('ana.oak'));
  });
});

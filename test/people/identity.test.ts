import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureAdmin } from '../../boot/services.js';
import { createAdmin } from '../../core/people/identity.js';
import { createLogger } from '../../lib/logger.js';
import { listCapturedMail } from '../../lib/mail/capture.js';
import { type ApiStack, useApiStack } from '../support/api-stack.js';
import { phone, useBrowser } from '../support/browser.js';
import { waitFor } from '../support/mailbox.js';
import { DAY } from '../support/time.js';
import { actionLink, expectAccessible, mailTo, signIn } from '../support/web.js';

/**
 * A person's identity is theirs, tried as a tenant would who wants someone else's: one district
 * naming a person first, changing their address or settings, reaching the installation's admin; a
 * forwarded email; Better Auth's own routes; the captured mail.
 */
const stack: ApiStack = useApiStack('tandem-identity');
const soon = (ms: number) => new Date(Date.now() + ms).toISOString();

type Json = Record<string, unknown>;

async function partnership(key: string, districtId: string, name: string, members: Json[]) {
  const res = await stack.call<{ id: string; firstReview: { id: string } }>(key, 'POST', '/partnerships', {
    name,
    district: { id: districtId },
    partner: { name: `${name} Partners` },
    timeZone: 'America/Chicago',
    firstReviewAt: soon(20 * DAY),
    members,
  });
  expect(res.status, res.text).toBe(201);
  return res.json;
}

const person = (email: string) => stack.database.db.person.findUniqueOrThrow({ where: { email } });
const h1 = async (page: Page) => (await page.locator('h1').textContent())?.trim();

describe("a person's identity, against a tenant who wants it", () => {
  const browser = useBrowser();
  let a: { id: string; key: string };
  let b: { id: string; key: string };
  beforeAll(async () => {
    a = await stack.districtWithKey('Ashford USD');
    b = await stack.districtWithKey('Brook USD');
  });

  it("lets no district take over a person it named first: not their address, not their settings, not another district's partnership", async () => {
    // District A names Vic first; district B then makes Vic its partner lead.
    await partnership(a.key, a.id, 'Ashford reading', [
      { name: 'Ada Ash', email: 'ada@ashford.example', role: 'district_lead' },
      { name: 'Vic Vale', email: 'vic@vale.example', role: 'participant' },
    ]);
    const bp = await partnership(b.key, b.id, 'Brook math', [
      { name: 'Bea Brook', email: 'bea@brook.example', role: 'district_lead' },
      { name: 'Vic Vale', email: 'vic@vale.example', role: 'partner_lead' },
    ]);
    const vic = await person('vic@vale.example');
    expect(await stack.database.db.staff.count({ where: { personId: vic.id } })).toBe(0);
    const before = await stack.database.db.auditEvent.count();
    for (const body of [{ email: 'takeover@ashford.example' }, { digestHour: 3 }, { quietHours: null }]) {
      const res = await stack.call(a.key, 'PATCH', `/people/${vic.id}/mail-settings`, body);
      expect(res.status, res.text).toBe(403);
    }
    // Nor by making Vic its staff first: a staff role lets A's key act for Vic in A's partnerships, nothing more.
    const grant = await stack.call(a.key, 'POST', `/organizations/${a.id}/staff`, { email: 'vic@vale.example' });
    expect(grant.status, grant.text).toBe(201);
    expect((await stack.call(a.key, 'PATCH', `/people/${vic.id}/mail-settings`, { email: 'takeover@ashford.example' })).status).toBe(403);
    expect((await person('vic@vale.example')).email).toBe('vic@vale.example');
    // Vic is told, and the grant is in the audit log with who made it.
    await mailTo(stack, 'vic@vale.example', /^You are now staff of Ashford USD/);
    const audit = await stack.call<{ items: { action: string; actor: string; actorName: string; subjectId: string }[] }>(
      stack.adminKey,
      'GET',
      `/audit-events?subjectId=${vic.id}`,
    );
    expect(audit.json.items.map((e) => [e.action, e.actor, e.actorName])).toEqual([['staff.granted', 'api_key', 'Ashford USD staff']]);
    expect(await stack.database.db.auditEvent.count()).toBe(before + 1);
    // B's partnership stays out of A's reach.
    expect((await stack.call(a.key, 'GET', `/partnerships/${bp.id}`)).status).toBe(404);
    // A staff role is A's to grant in A only: not in B, whose existence it does not learn.
    const other = await stack.call<{ detail: string }>(a.key, 'POST', `/organizations/${b.id}/staff`, { email: 'ada@ashford.example' });
    expect([other.status, other.json.detail]).toEqual([404, `Organization ${b.id} does not exist`]);
  });

  it('makes the installation admin only from an address new to Tandem, and lets nobody below it touch the admin', async () => {
    // A district names an address first; the operator then sets ADMIN_EMAIL to it: it is not promoted.
    await partnership(a.key, a.id, 'Ashford science', [
      { name: 'Ada Ash', email: 'ada@ashford.example', role: 'district_lead' },
      { name: 'Ops Person', email: 'ops@tandem-host.example', role: 'participant' },
    ]);
    await ensureAdmin(stack.database.db, createLogger('silent', 'test'), 'ops@tandem-host.example');
    expect((await person('ops@tandem-host.example')).isAdmin).toBe(false);
    await expect(
      createAdmin(stack.database, { kind: 'command_line', name: 'tandem admin' }, { email: 'ops@tandem-host.example' }),
    ).rejects.toThrow(/never made by promoting an existing person/);
    // A new address becomes the admin, audited.
    expect(await createAdmin(stack.database, { kind: 'command_line', name: 'tandem admin' }, { email: 'root@tandem-host.example' })).toBe(
      'created',
    );
    const admin = await person('root@tandem-host.example');
    expect(admin.isAdmin).toBe(true);
    expect(
      await stack.database.db.auditEvent.count({ where: { subjectId: admin.id, action: 'person.admin_created', actor: 'command_line' } }),
    ).toBe(1);
    // Named in a district's partnership, the admin is still out of the district's reach.
    await partnership(a.key, a.id, 'Ashford art', [
      { name: 'Ada Ash', email: 'ada@ashford.example', role: 'district_lead' },
      { name: 'Root', email: 'root@tandem-host.example', role: 'participant' },
    ]);
    expect((await stack.call(a.key, 'PATCH', `/people/${admin.id}/mail-settings`, { email: 'x@ashford.example' })).status).toBe(403);
    const staff = await stack.call(a.key, 'POST', `/organizations/${a.id}/staff`, { email: 'root@tandem-host.example', isAdmin: true });
    expect(staff.status, staff.text).toBe(403);
    expect(await stack.database.db.staff.count({ where: { personId: admin.id } })).toBe(0);
  });

  it('changes an address only by a link sent to the new one, telling the old one, and signs its owner out everywhere', async () => {
    await partnership(a.key, a.id, 'Ashford music', [{ name: 'Uma Una', email: 'uma@ashford.example', role: 'district_lead' }]);
    const { context, page } = await signIn(stack, browser, 'uma@ashford.example');
    await page.goto(`${stack.publicUrl}/settings`);
    await expectAccessible(page);
    await page.getByLabel('New email address').fill('uma@newmail.example');
    await page.getByRole('button', { name: 'Send the link' }).click();
    await expect.poll(() => page.locator('.flash').textContent()).toMatch(/We sent a link to uma@newmail\.example/);
    // Nothing has changed yet; the old address is told, the new one gets the link.
    expect((await person('uma@ashford.example')).email).toBe('uma@ashford.example');
    await mailTo(stack, 'uma@ashford.example', /^A new address was asked for your Tandem account/);
    const confirm = await mailTo(stack, 'uma@newmail.example', /^Confirm your new address/);
    const link = confirm.text.match(/https?:\/\/\S+\/settings\/address\?token=\S+/)?.[0] as string;
    expect(link).toBeTruthy();
    // Opening the link changes nothing (a mail scanner follows links); the button does.
    const { page: other } = await phone(browser);
    await other.goto(link);
    expect(await h1(other)).toBe('Confirm your new address');
    expect((await person('uma@ashford.example')).email).toBe('uma@ashford.example');
    await other.getByRole('button', { name: 'Use uma@newmail.example' }).click();
    await expect.poll(() => other.locator('.flash').textContent()).toMatch(/Your address is now uma@newmail\.example/);
    const uma = await person('uma@newmail.example');
    expect(uma.emailVerified).toBe(true);
    await mailTo(stack, 'uma@ashford.example', /^Your Tandem address was changed/);
    // Signed out everywhere: the browser that asked is signed out too.
    expect(await stack.database.db.authSession.count({ where: { personId: uma.id } })).toBe(0);
    await page.goto(`${stack.publicUrl}/`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    // The link works once.
    await other.goto(link);
    expect(await h1(other)).toBe('This link has expired or was used already');
    const actions = await stack.database.db.auditEvent.findMany({ where: { subjectId: uma.id }, orderBy: { occurredAt: 'asc' } });
    expect(actions.map((e) => [e.action, e.actor, e.actorName])).toEqual([
      ['person.address_change_requested', 'person', 'Uma Una'],
      ['person.address_changed', 'person', 'Uma Una'],
    ]);
    await context.close();
  });

  it("lets the installation's admin key change an address, audited, telling both addresses", async () => {
    await partnership(a.key, a.id, 'Ashford drama', [{ name: 'Ola Oak', email: 'ola@ashford.example', role: 'district_lead' }]);
    const ola = await person('ola@ashford.example');
    const res = await stack.call<Json>(stack.adminKey, 'PATCH', `/people/${ola.id}/mail-settings`, { email: 'ola@elsewhere.example' });
    expect(res.status, res.text).toBe(200);
    await mailTo(stack, 'ola@ashford.example', /^Your Tandem address was changed/);
    await mailTo(stack, 'ola@elsewhere.example', /^Your Tandem address was changed/);
    const changed = await stack.database.db.auditEvent.findFirstOrThrow({ where: { subjectId: ola.id, action: 'person.address_changed' } });
    expect([changed.actor, changed.data]).toEqual(['api_key', { from: 'ola@ashford.example', to: 'ola@elsewhere.example' }]);
  });

  it('hands over one task with a forwarded email, never the account, and says whom the link is for', async () => {
    const p = await partnership(a.key, a.id, 'Ashford history', [
      { name: 'Fay Fern', email: 'fay@ashford.example', role: 'district_lead' },
      { name: 'Gus Gray', email: 'gus@ashford.example', role: 'participant' },
    ]);
    const created = await stack.call<{ id: string }>(a.key, 'POST', `/partnerships/${p.id}/commitments`, {
      ownerEmail: 'fay@ashford.example',
      side: 'district',
      description: 'Book the library',
      dueAt: soon(10 * DAY),
    });
    expect(created.status, created.text).toBe(201);
    // Fay's invitation to the review leads to the review; Gus, signed in as himself, opens it.
    const invitation = await mailTo(stack, 'fay@ashford.example', /^Invitation: review #1 of Ashford history/);
    const { page } = await signIn(stack, browser, 'gus@ashford.example');
    await page.goto(actionLink(invitation));
    expect(await h1(page)).toBe('Continue to Tandem');
    const text = await page.locator('main').textContent();
    expect(text).toMatch(/This link was sent to Fay Fern/);
    expect(text).toMatch(/You are signed in as Gus Gray, and you stay signed in/);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${stack.publicUrl}/p/${p.id}/reviews/${p.firstReview.id}`);
    expect(await page.locator('.notice').textContent()).toMatch(/acting as Fay Fern on this page only/);
    // Everywhere else Gus is Gus: his own work, and Fay's commitment is not reachable as Fay.
    await page.goto(`${stack.publicUrl}/`);
    expect(await page.locator('.who').textContent()).toBe('(Gus Gray)');
    const commitment = await page.goto(`${stack.publicUrl}/p/${p.id}/commitments/${created.json.id}`);
    expect(commitment?.status()).toBe(200);
    expect(await page.getByRole('button', { name: 'Mark it done' }).count()).toBe(0);
    // In a browser with no session, the same kind of link opens its page and nothing else.
    const reminderLink = await stack.database.db.taskLink.count({ where: { personId: (await person('fay@ashford.example')).id } });
    expect(reminderLink).toBeGreaterThan(0);
    const { page: fresh } = await phone(browser);
    const second = await mailTo(stack, 'fay@ashford.example', /^Invitation: review #1 of Ashford history/);
    await fresh.goto(actionLink(second));
    // The link was used already by Gus's browser: a fresh one goes to Fay, never to whoever clicked.
    expect(await h1(fresh)).toBe('This link has expired or was used already');
    const before = new Set((await listCapturedMail(stack.mailCaptureDir)).map((m) => m.id));
    await fresh.getByRole('button', { name: 'Email me a fresh link' }).click();
    const renewed = await mailTo(stack, 'fay@ashford.example', /^Your fresh Tandem link/, (m) => !before.has(m.id));
    await fresh.goto(actionLink(renewed));
    await fresh.getByRole('button', { name: 'Continue' }).click();
    await fresh.waitForURL(`${stack.publicUrl}/p/${p.id}/reviews/${p.firstReview.id}`);
    for (const elsewhere of ['/', `/p/${p.id}`, '/settings', '/dashboard']) {
      await fresh.goto(`${stack.publicUrl}${elsewhere}`);
      expect([elsewhere, new URL(fresh.url()).pathname]).toEqual([elsewhere, '/sign-in']);
    }
  });

  it("exposes none of Better Auth's own routes but the identity provider's callback", async () => {
    const { context } = await signIn(stack, browser, 'ada@ashford.example');
    const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    for (const [method, path, body] of [
      ['POST', '/auth/update-user', { name: 'x'.repeat(100_000) }],
      ['GET', '/auth/get-session', undefined],
      ['POST', '/auth/sign-in/social', { provider: 'district' }],
      ['POST', '/auth/change-email', { newEmail: 'x@y.example' }],
      ['GET', '/auth/list-sessions', undefined],
    ] as const) {
      const res = await stack.call(null, method, path, body, { cookie, origin: stack.publicUrl });
      expect([path, res.status]).toEqual([path, 404]);
    }
    expect((await person('ada@ashford.example')).name).toBe('Ada Ash');
    await context.close();
  });

  it("serves the captured mail to the installation admin's session only, wherever the request seems to come from", async () => {
    const { context, page } = await signIn(stack, browser, 'ada@ashford.example');
    const variants: Record<string, string>[] = [{}, { 'X-Forwarded-For': '127.0.0.1' }];
    for (const headers of variants) {
      await context.setExtraHTTPHeaders(headers);
      const res = await page.goto(`${stack.publicUrl}/mail`);
      expect(res?.status()).toBe(403);
      expect(await page.content()).not.toContain('Your Tandem sign-in link');
    }
    // With no session at all, from this very machine: the sign-in page.
    const anonymous = await fetch(`${stack.baseUrl}/mail`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect([anonymous.status, anonymous.headers.get('location')]).toEqual([303, '/sign-in?next=%2Fmail']);
    await context.close();
    await createAdmin(stack.database, { kind: 'command_line', name: 'test' }, { email: 'boss@tandem-host.example' });
    const admin = await signIn(stack, browser, 'boss@tandem-host.example');
    expect((await admin.page.goto(`${stack.publicUrl}/mail`))?.status()).toBe(200);
    await waitFor('the page to list messages', async () => (await admin.page.locator('h1').textContent()) === 'Captured mail');
    await admin.context.close();
  });
});

import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_SECRET } from '../../core/people/identity-providers.js';
import { freePort } from '../../lib/net.js';
import { type ApiStack, useApiStack } from '../support/api-stack.js';
import { testSealer } from '../support/auth.js';
import { phone, useBrowser } from '../support/browser.js';
import { scrapeValue } from '../support/metrics.js';
import { startOidcProvider } from '../support/oidc.js';
import { expectAccessible } from '../support/web.js';

/**
 * Signing in with the district's identity provider: a real OpenID Connect provider in the test
 * process (discovery, its own login and consent pages, signed ID tokens, PKCE), Tandem configured
 * with it as OIDC_ISSUER / OIDC_CLIENT_ID / OIDC_CLIENT_SECRET would, and a real browser between.
 */
const stack: ApiStack = useApiStack('tandem-web-oidc', { oidc: (redirectUri) => startOidcProvider(redirectUri) });

/** Through the provider's own pages: its login (any password), then its consent. */
async function signInAtProvider(page: Page, login: string, via?: { workEmail: string }) {
  await page.goto(`${stack.publicUrl}/sign-in?next=/settings`);
  await expectAccessible(page);
  if (via) {
    await page.getByLabel("Your work address, to sign in with your organization's account").fill(via.workEmail);
    await page.getByRole('button', { name: "Sign in with my organization's account" }).click();
  } else await page.getByRole('button', { name: 'Sign in with Lakeside USD account' }).click();
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('whatever the district asks');
  await page.locator('button[type="submit"]').click();
  await page.locator('button[type="submit"]', { hasText: 'Continue' }).click();
}

describe('sign-in with the district identity provider (OpenID Connect)', () => {
  const browser = useBrowser();
  beforeAll(async () => {
    const res = await stack.call(stack.adminKey, 'POST', '/partnerships', {
      name: 'Lakeside Literacy',
      district: { name: 'Lakeside USD' },
      partner: { name: 'Northwind Learning' },
      timeZone: 'America/Chicago',
      firstReviewAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      members: [
        { name: 'Ana Diaz', email: 'ana@lakeside.example', role: 'district_lead' },
        { name: 'Bob Brook', email: 'bob@brook.example', role: 'partner_lead' },
        { name: 'Cora Hill', email: 'cora@hillcrest.example', role: 'participant' },
      ],
    });
    expect(res.status, res.text).toBe(201);
  });

  it('signs in a person Tandem knows, under the address the provider vouches for, and lands where they were going', async () => {
    const { context, page } = await phone(browser);
    // The provider spells the address its own way; Tandem matches it to the person it knows.
    await signInAtProvider(page, 'Ana@Lakeside.example');
    await page.waitForURL(`${stack.publicUrl}/settings`);
    await expect.poll(() => page.locator('h1').textContent()).toMatch(/settings/i);
    await expect.poll(() => page.getByRole('button', { name: 'Sign out (Ana Diaz)' }).count()).toBe(1);
    expect(await page.locator('section[aria-labelledby="address"] strong').textContent()).toBe('ana@lakeside.example');
    const person = await stack.database.db.person.findUniqueOrThrow({
      where: { email: 'ana@lakeside.example' },
      include: { accounts: true },
    });
    expect(person.accounts.map((a) => [a.providerId, a.accountId])).toContainEqual(['district', 'Ana@Lakeside.example']);
    expect(await scrapeValue(stack.baseUrl, 'tandem_sign_ins_total', { method: 'provider' })).toBe(1);
    // Signed in: the home page shows her partnership.
    await page.goto(`${stack.publicUrl}/`);
    await expect.poll(() => page.getByText('Lakeside Literacy').count()).toBeGreaterThan(0);
    await context.close();
  });

  it('turns away someone Tandem does not know, with a page that says what to do, and creates nobody', async () => {
    const { context, page } = await phone(browser);
    await signInAtProvider(page, 'stranger@lakeside.example');
    await page.waitForURL((url) => url.pathname === '/sign-in');
    await expect.poll(() => page.locator('.errors[role="alert"]').first().textContent()).toMatch(/not known to Tandem/);
    await expectAccessible(page);
    expect(await stack.database.db.person.count({ where: { email: 'stranger@lakeside.example' } })).toBe(0);
    await page.goto(`${stack.publicUrl}/settings`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await context.close();
  });

  it("signs in nobody outside the provider's own domains, whatever address it vouches for", async () => {
    // Lakeside's provider says its user is Bob, a partner's consultant Tandem knows: refused.
    const { context, page } = await phone(browser);
    await signInAtProvider(page, 'bob@brook.example');
    await page.waitForURL((url) => url.pathname === '/sign-in');
    await expect
      .poll(() => page.locator('.errors[role="alert"]').first().textContent())
      .toMatch(/not one your organization's sign-in may vouch for/);
    const bob = await stack.database.db.person.findUniqueOrThrow({
      where: { email: 'bob@brook.example' },
      include: { sessions: true, accounts: true },
    });
    expect([bob.sessions.length, bob.accounts.length]).toEqual([0, 0]);
    await page.goto(`${stack.publicUrl}/settings`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await context.close();
  });

  it("lets a district register its own provider, which signs in only its domains once the installation's admin approves them", async () => {
    const org = await stack.districtWithKey('Hillcrest USD', 'America/Denver');
    const port = await freePort();
    const registered = await stack.call<{ id: string; callbackPath: string; approvedAt: string | null }>(
      org.key,
      'POST',
      `/organizations/${org.id}/identity-providers`,
      {
        name: 'Hillcrest account',
        issuer: `http://localhost:${port}`,
        clientId: 'tandem',
        clientSecret: 'x'.repeat(32),
        domains: ['hillcrest.example'],
      },
    );
    expect([registered.status, registered.json.approvedAt], registered.text).toEqual([201, null]);
    // A district cannot approve its own claim, nor claim a domain that is already someone else's.
    expect((await stack.call(org.key, 'POST', `/identity-providers/${registered.json.id}/approve`)).status).toBe(403);
    const grabby = await stack.call<{ id: string }>(org.key, 'POST', `/organizations/${org.id}/identity-providers`, {
      name: 'Grabby',
      issuer: `http://localhost:${port}`,
      clientId: 'tandem',
      clientSecret: 'x'.repeat(32),
      domains: ['lakeside.example'],
    });
    const clash = await stack.call<{ detail: string }>(stack.adminKey, 'POST', `/identity-providers/${grabby.json.id}/approve`);
    expect([clash.status, clash.json.detail]).toEqual([409, 'lakeside.example already belongs to another sign-in provider']);
    // Not approved yet: the sign-in page offers only Lakeside's.
    const { context, page } = await phone(browser);
    await page.goto(`${stack.publicUrl}/sign-in`);
    expect(await page.getByRole('button', { name: "Sign in with my organization's account" }).count()).toBe(0);
    // Approved: its own IdP, started with the callback Tandem gave it.
    const idp = await startOidcProvider(
      `${stack.publicUrl}${registered.json.callbackPath}`,
      'Hillcrest account',
      ['hillcrest.example'],
      port,
    );
    try {
      // Its client secret is stored sealed (lib/auth/sealed.ts); the started provider's own replaces the placeholder.
      const provider = await stack.database.db.identityProvider.findUniqueOrThrow({ where: { id: registered.json.id } });
      expect(provider.clientSecret).not.toContain('x'.repeat(32));
      expect(testSealer.open(provider.clientSecret, CLIENT_SECRET)).toBe('x'.repeat(32));
      await stack.database.db.identityProvider.update({
        where: { id: provider.id },
        data: { clientSecret: testSealer.seal(idp.clientSecret, CLIENT_SECRET) },
      });
      expect((await stack.call(stack.adminKey, 'POST', `/identity-providers/${registered.json.id}/approve`)).status).toBe(200);
      await signInAtProvider(page, 'cora@hillcrest.example', { workEmail: 'cora@hillcrest.example' });
      await page.waitForURL(`${stack.publicUrl}/settings`);
      await expect.poll(() => page.getByRole('button', { name: 'Sign out (Cora Hill)' }).count()).toBe(1);
      // The same provider vouching for Lakeside's Ana: refused, she stays signed out there.
      const other = await phone(browser);
      await signInAtProvider(other.page, 'ana@lakeside.example', { workEmail: 'someone@hillcrest.example' });
      await other.page.waitForURL((url) => url.pathname === '/sign-in');
      await expect
        .poll(() => other.page.locator('.errors[role="alert"]').first().textContent())
        .toMatch(/not one your organization's sign-in may vouch for/);
      await other.context.close();
      const audit = await stack.database.db.auditEvent.findMany({ where: { subjectId: org.id }, orderBy: { occurredAt: 'asc' } });
      expect(audit.map((e) => e.action)).toEqual([
        'identity_provider.registered',
        'identity_provider.registered',
        'identity_provider.approved',
      ]);
    } finally {
      await idp.close();
      await context.close();
    }
  });
});

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiStack, useApiStack } from '../support/api-stack.js';
import { launchBrowser, phone } from '../support/browser.js';
import { startOidcProvider } from '../support/oidc.js';
import { expectAccessible } from '../support/web.js';

/**
 * Signing in with the district's identity provider: a real OpenID Connect provider in the test
 * process (discovery, its own login and consent pages, signed ID tokens, PKCE), Tandem configured
 * with it as OIDC_ISSUER / OIDC_CLIENT_ID / OIDC_CLIENT_SECRET would, and a real browser between.
 */
const stack: ApiStack = useApiStack('tandem-web-oidc', { oidc: (redirectUri) => startOidcProvider(redirectUri) });

/** Through the provider's own pages: its login (any password), then its consent. */
async function signInAtProvider(page: Page, login: string) {
  await page.goto(`${stack.publicUrl}/sign-in?next=/settings`);
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Sign in with Lakeside USD account' }).click();
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('whatever the district asks');
  await page.locator('button[type="submit"]').click();
  await page.locator('button[type="submit"]', { hasText: 'Continue' }).click();
}

describe('sign-in with the district identity provider (OpenID Connect)', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
    const res = await stack.call(stack.adminKey, 'POST', '/partnerships', {
      name: 'Lakeside Literacy',
      district: { name: 'Lakeside USD' },
      partner: { name: 'Northwind Learning' },
      timeZone: 'America/Chicago',
      firstReviewAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      members: [{ name: 'Ana Diaz', email: 'ana@lakeside.example', role: 'district_lead' }],
    });
    expect(res.status, res.text).toBe(201);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('signs in a person Tandem knows, under the address the provider vouches for, and lands where they were going', async () => {
    const { context, page } = await phone(browser);
    // The provider spells the address its own way; Tandem matches it to the person it knows.
    await signInAtProvider(page, 'Ana@Lakeside.example');
    await page.waitForURL(`${stack.publicUrl}/settings`);
    await expect.poll(() => page.locator('h1').textContent()).toMatch(/settings/i);
    await expect.poll(() => page.getByRole('button', { name: 'Sign out (Ana Diaz)' }).count()).toBe(1);
    expect(await page.getByLabel('Email address').inputValue()).toBe('ana@lakeside.example');
    const person = await stack.database.db.person.findUniqueOrThrow({
      where: { email: 'ana@lakeside.example' },
      include: { accounts: true },
    });
    expect(person.accounts.map((a) => [a.providerId, a.accountId])).toContainEqual(['district', 'Ana@Lakeside.example']);
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
});

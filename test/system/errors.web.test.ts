import { describe, expect, it } from 'vitest';
import { type ApiStack, useApiStack } from '../support/api-stack.js';
import { useBrowser } from '../support/browser.js';
import { signIn } from '../support/web.js';

/**
 * No dead ends for a person: what fails is an HTML page of the app with a way on, never raw JSON; an
 * address a form posts to, opened again, leads to the form's page; a form's answer is a page of its
 * own, so that reloading it sends nothing again. Integrations still get problem+json.
 */
const stack: ApiStack = useApiStack('tandem-web-errors');
const page = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${stack.baseUrl}${path}`, { headers: { accept: 'text/html,application/xhtml+xml', ...headers }, redirect: 'manual' });

describe('what a person sees when something is not there or fails', () => {
  const browser = useBrowser();

  it('shows a page, not JSON, for a mistyped address, and keeps problem+json for the API', async () => {
    const mistyped = await page('/dashbord');
    expect([mistyped.status, mistyped.headers.get('content-type')]).toEqual([404, 'text/html; charset=utf-8']);
    const html = await mistyped.text();
    expect(html).toContain('<h1>Not found</h1>');
    expect(html).toContain('href="/"');
    expect(html).not.toContain('tandem.dev/problems');
    const api = await fetch(`${stack.baseUrl}/dashbord`, { headers: { authorization: `Bearer ${stack.adminKey}` } });
    expect([api.status, api.headers.get('content-type')]).toEqual([404, 'application/problem+json; charset=utf-8']);
  });

  it('leads an address a form posts to, opened again, to its page; offers a button to sign out', async () => {
    for (const [from, to] of [
      ['/settings/calendar', '/settings'],
      ['/settings/new-address', '/settings'],
      ['/dashboard/calendar/feed', '/dashboard/calendar'],
      ['/link/fresh', '/sign-in'],
      [
        '/p/00000000-0000-4000-8000-000000000000/commitments/00000000-0000-4000-8000-000000000001/extend',
        '/p/00000000-0000-4000-8000-000000000000/commitments/00000000-0000-4000-8000-000000000001',
      ],
      [
        '/p/00000000-0000-4000-8000-000000000000/members/00000000-0000-4000-8000-000000000001/role',
        '/p/00000000-0000-4000-8000-000000000000',
      ],
    ]) {
      const res = await page(from as string);
      expect([from, res.status, res.headers.get('location')]).toEqual([from, 303, to]);
    }
    // Signed out, /sign-out leads to the sign-in page; signed in, it asks with a button.
    expect((await page('/sign-out')).headers.get('location')).toBe('/sign-in');
    const created = await stack.call(stack.adminKey, 'POST', '/partnerships', {
      name: 'Errors literacy',
      district: { name: 'Errors USD' },
      partner: { name: 'Errors Partners' },
      timeZone: 'America/Chicago',
      firstReviewAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      members: [{ name: 'Eli Err', email: 'eli@errors.example', role: 'district_lead' }],
    });
    expect(created.status, created.text).toBe(201);
    const { context, page: tab } = await signIn(stack, browser, 'eli@errors.example');
    await tab.goto(`${stack.publicUrl}/sign-out`);
    expect(await tab.locator('h1').textContent()).toBe('Sign out of Tandem?');
    // A calendar address made from the settings page: the answer is a page of its own; reloading it makes no second one.
    await tab.goto(`${stack.publicUrl}/settings`);
    await tab.getByRole('button', { name: 'Make my calendar address' }).click();
    await expect.poll(() => tab.locator('.flash').textContent()).toMatch(/Your calendar address, shown this once/);
    expect(new URL(tab.url()).pathname).toBe('/settings');
    await tab.reload();
    const eli = await stack.database.db.person.findUniqueOrThrow({ where: { email: 'eli@errors.example' } });
    expect(await stack.database.db.calendarFeed.count({ where: { personId: eli.id } })).toBe(1);
    await context.close();
  });
});

import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { type ApiStack, useApiStack } from '../support/api-stack.js';
import { useBrowser } from '../support/browser.js';
import { signIn } from '../support/web.js';

/** Times are the reader's: their own zone, else their partnerships', never UTC by default. */
const stack: ApiStack = useApiStack('tandem-reader-zone');

describe('times in the reader’s zone', () => {
  const browser = useBrowser();

  it('shows the reports in the zone of the partnerships of a reader who chose none', async () => {
    const at = DateTime.now().setZone('America/Denver').plus({ days: 10 }).set({ hour: 9, minute: 15, second: 0, millisecond: 0 });
    const created = await stack.call(stack.adminKey, 'POST', '/partnerships', {
      name: 'Zone literacy',
      district: { name: 'Zone USD' },
      partner: { name: 'Zone Partners' },
      timeZone: 'America/Denver',
      firstReviewAt: at.toISO(),
      members: [{ name: 'Zed Zone', email: 'zed@zone.example', role: 'district_lead' }],
    });
    expect(created.status, created.text).toBe(201);
    const { page, context } = await signIn(stack, browser, 'zed@zone.example');
    await page.goto(`${stack.publicUrl}/dashboard/reports/upcoming-reviews`);
    expect(await page.locator('main').textContent()).toContain('Times in America/Denver.');
    expect(await page.locator('table.dashboard tbody').textContent()).toContain(at.toFormat('ccc, LLL d, yyyy, h:mm a'));
    await context.close();
  });
});

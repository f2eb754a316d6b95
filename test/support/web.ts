import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { type CapturedMail, listCapturedMail } from '../../lib/mail/capture.js';
import type { ApiStack } from './api-stack.js';
import { phone } from './browser.js';
import { waitFor } from './mailbox.js';

/** The message to `to` whose subject matches, once it has arrived at the stack's mail capture. */
export function mailTo(stack: ApiStack, to: string, subject: RegExp, after?: (m: CapturedMail) => boolean): Promise<CapturedMail> {
  // Addresses are stored lower-cased; people type them as they like.
  const address = to.toLowerCase();
  return waitFor(`mail to ${to} matching ${subject}`, async () =>
    (await listCapturedMail(stack.mailCaptureDir)).find(
      (m) => m.envelopeTo.some((a) => a.toLowerCase() === address) && subject.test(m.subject) && (after?.(m) ?? true),
    ),
  );
}

/** The link of a message that signs its reader in (it carries the sign-in token `t`). */
export function actionLink(mail: CapturedMail): string {
  const link = mail.text.match(/https?:\/\/\S+[?&]t=\S+/)?.[0];
  if (!link) throw new Error(`no sign-in link in "${mail.subject}":\n${mail.text}`);
  return link;
}

/**
 * Opens a message's link as its recipient would: in a fresh phone-sized browser with no session,
 * through the confirmation page. Returns the page it lands on.
 */
export async function follow(browser: Browser, mail: CapturedMail): Promise<Page> {
  const { page } = await phone(browser);
  await page.goto(actionLink(mail));
  await expect.poll(() => page.locator('h1').textContent()).toBe('Continue to Tandem');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForLoadState('load');
  return page;
}

/** Signs in at the sign-in page with the link that arrives, as the person would, on a phone. */
export async function signIn(stack: ApiStack, browser: Browser, address: string): Promise<{ context: BrowserContext; page: Page }> {
  const before = new Set((await listCapturedMail(stack.mailCaptureDir)).map((m) => m.id));
  const { context, page } = await phone(browser);
  await page.goto(`${stack.publicUrl}/sign-in`);
  await page.getByLabel('Your email address').fill(address);
  await page.getByRole('button', { name: 'Send me a sign-in link' }).click();
  const mail = await mailTo(stack, address, /^Your Tandem sign-in link/, (m) => !before.has(m.id));
  await page.goto(actionLink(mail));
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(`${stack.publicUrl}/`);
  return { context, page };
}

/** No serious or critical accessibility violation on the page (axe-core, WCAG 2.1 AA rules). */
export async function expectAccessible(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
    `accessibility of ${page.url()}`,
  ).toEqual([]);
}

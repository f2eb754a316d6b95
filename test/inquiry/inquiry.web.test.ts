import { beforeAll, describe, expect, it } from 'vitest';
import { type ApiStack, useApiStack } from '../support/api-stack.js';
import { useBrowser } from '../support/browser.js';
import { waitFor } from '../support/mailbox.js';
import { DAY } from '../support/time.js';
import { expectAccessible, follow, mailTo, signIn } from '../support/web.js';

/**
 * An inquiry cycle in Chromium, on a phone, without a session or a key: each owner follows the
 * "your turn" mail to the cycle's page and records their phase there; a lead starts the next cycle
 * from the partnership's page; everyone hears how the cycle closed.
 */
const stack: ApiStack = useApiStack('tandem-web-inquiry');
const soon = (ms: number) => new Date(Date.now() + ms).toISOString();
const email = (who: string) => `${who}@inquiry-web.example`;

describe('an inquiry cycle from the inbox', () => {
  const browser = useBrowser();
  let partnershipId: string;
  let cycleId: string;
  beforeAll(async () => {
    const members = [
      { name: 'Ana Diaz', email: email('ana'), role: 'district_lead' },
      { name: 'Ben Ode', email: email('ben'), role: 'partner_lead' },
      { name: 'Cal Moss', email: email('cal'), role: 'participant' },
    ] as const;
    partnershipId = (await stack.createPartnership('Willow literacy', [...members], { timeZone: 'America/Denver' })).id;
    await waitFor(
      'the partnership to be active',
      async () => (await stack.database.db.partnership.findUniqueOrThrow({ where: { id: partnershipId } })).status === 'active',
    );
    const owner = { plan: 'ben', do: 'cal', study: 'ana', act: 'ana', reflect: 'ben' } as const;
    const c = await stack.call<{ id: string }>(stack.adminKey, 'POST', `/partnerships/${partnershipId}/inquiry-cycles`, {
      question: 'Do weekly data chats raise grade 3 fluency?',
      phases: Object.fromEntries(
        (['plan', 'do', 'study', 'act', 'reflect'] as const).map((ph, i) => [
          ph,
          { ownerEmail: email(owner[ph]), dueAt: soon((i + 1) * 14 * DAY) },
        ]),
      ),
    });
    expect(c.status, c.text).toBe(201);
    cycleId = c.json.id;
  });

  it('inquiry-phase: each owner records their phase on the cycle page, without JavaScript or a key', async () => {
    // Ben plans: the mail's link signs him in and lands on the cycle with the plan form.
    const ben = await follow(browser, await mailTo(stack, email('ben'), /^Your turn: Plan of inquiry cycle 1 in Willow literacy/));
    expect(new URL(ben.url()).pathname).toBe(`/p/${partnershipId}/inquiry/${cycleId}`);
    expect(await ben.locator('h1').textContent()).toBe('Inquiry cycle 1');
    await expectAccessible(ben);
    // A mistake stays on the form, with what was typed.
    await ben.getByLabel('Change idea').fill('Ten-minute data chats every Monday');
    await ben.getByLabel('Prediction').fill('Fluency up 10 words a minute by spring');
    await ben.getByLabel('Measures').fill('   ');
    await ben.getByRole('button', { name: 'Record it' }).click();
    await expect.poll(() => ben.locator('.field-error').first().textContent()).toMatch(/.+/);
    expect(await ben.getByLabel('Change idea').inputValue()).toBe('Ten-minute data chats every Monday');
    await ben.getByLabel('Measures').fill('ORF benchmark\nChat attendance');
    await ben.getByRole('button', { name: 'Record it' }).click();
    await expect.poll(() => ben.locator('.flash').textContent()).toMatch(/the next phase has begun/);
    await expect(ben.getByText('ORF benchmark; Chat attendance').isVisible()).resolves.toBe(true);
    // The do phase is Cal's; Ben, a lead, could record it for him, and is told so.
    await expect(ben.getByText('it is recorded that you did it for Cal Moss').isVisible()).resolves.toBe(true);

    // Cal does: his own mail, his own page.
    const cal = await follow(browser, await mailTo(stack, email('cal'), /^Your turn: Do of inquiry cycle 1/));
    expect(await cal.getByRole('heading', { name: 'Record the do phase' }).isVisible()).toBe(true);
    await cal.getByLabel('What was done').fill('Held 8 of 9 chats; one cancelled for testing');
    await cal.getByRole('button', { name: 'Record it' }).click();
    await expect.poll(() => cal.locator('.flash').textContent()).toMatch(/the next phase has begun/);
    await expectAccessible(cal);
  });

  it('inquiry-closed: study, act and the reflection close the cycle, everyone is told, a lead starts the next from the web', async () => {
    const ana = await follow(browser, await mailTo(stack, email('ana'), /^Your turn: Study of inquiry cycle 1/));
    await ana.getByLabel('What the data showed').fill('Up 6 words a minute');
    await ana.getByRole('button', { name: 'Record it' }).click();
    await expect.poll(() => ana.getByRole('heading', { name: 'Record the act phase' }).isVisible()).toBe(true);
    await ana.getByLabel('Decision').selectOption('adopt');
    await ana.getByRole('button', { name: 'Record it' }).click();
    await expect.poll(() => ana.locator('.flash').textContent()).toMatch(/the next phase has begun/);

    const ben = await follow(browser, await mailTo(stack, email('ben'), /^Your turn: Reflect of inquiry cycle 1/));
    await ben.getByLabel('What worked?').fill('The routine');
    await ben.getByLabel("What didn't?").fill('Mondays are crowded');
    await ben.getByLabel('How could it be improved?').fill('Move to Tuesdays');
    await ben.getByRole('button', { name: 'Record it' }).click();
    await expect.poll(() => ben.locator('.flash').textContent()).toMatch(/the cycle is closed/);

    const closed = await mailTo(stack, email('cal'), /^Inquiry cycle 1 of Willow literacy is closed: adopt/);
    const cal = await follow(browser, closed);
    expect(new URL(cal.url()).pathname).toBe(`/p/${partnershipId}/inquiry/${cycleId}`);
    await expect(cal.getByText('Adopt the change').first().isVisible()).resolves.toBe(true);

    // Ben leads (partner lead). His task link opened that task's page only: for the partnership's page
    // he signs in, and from it starts cycle 2.
    const outside = await ben.goto(`${stack.publicUrl}/p/${partnershipId}`);
    expect(new URL(outside?.url() ?? '').pathname).toBe('/sign-in');
    const { page: lead } = await signIn(stack, browser, email('ben'));
    await lead.goto(`${stack.publicUrl}/p/${partnershipId}`);
    await lead.getByRole('link', { name: 'Start an inquiry cycle' }).click();
    await expectAccessible(lead);
    await lead.getByLabel('The question').fill('Does peer observation change practice?');
    const form = lead.locator('form[aria-label="Start an inquiry cycle"]');
    const day = (n: number) => new Date(Date.now() + n * DAY).toISOString().slice(0, 10);
    for (const [i, phase] of ['Plan', 'Do', 'Study', 'Act', 'Reflect'].entries()) {
      await form
        .locator('fieldset', { hasText: `${phase}:` })
        .getByLabel('Due')
        .fill(`${day((i + 1) * 10)}T16:00`);
    }
    await lead.getByRole('button', { name: 'Start the cycle' }).click();
    await expect.poll(() => lead.locator('h1').textContent()).toBe('Inquiry cycle 2');
    const cycles = await stack.database.db.inquiryCycle.findMany({ where: { partnershipId }, orderBy: { number: 'asc' } });
    expect(cycles.map((c) => [c.number, c.status])).toEqual([
      [1, 'closed'],
      [2, 'open'],
    ]);

    // Cal is no lead: signed in, the page to start a cycle refuses him.
    const { page: member } = await signIn(stack, browser, email('cal'));
    const refused = await member.goto(`${stack.publicUrl}/p/${partnershipId}/inquiry/new`);
    expect(refused?.status()).toBe(403);
  });

  it('starts a cycle in every partnership of a cohort from the dashboard, names those it could not, and lets only coordinators', async () => {
    const cohort = await stack.call<{ id: string }>(stack.adminKey, 'POST', '/cohorts', { name: 'Willow cohort' });
    const added = await stack.call(stack.adminKey, 'POST', `/cohorts/${cohort.json.id}/coordinators`, {
      name: 'Cora Lin',
      email: email('cora'),
    });
    expect(added.status, added.text).toBe(201);
    const make = async (name: string, withParticipant: boolean) => {
      const { id } = await stack.createPartnership(
        name,
        [
          { name: 'Dee Park', email: email(`dee.${name.toLowerCase()}`), role: 'district_lead' },
          { name: 'Fay Ruiz', email: email(`fay.${name.toLowerCase()}`), role: 'partner_lead' },
          ...(withParticipant ? [{ name: 'Eli Moss', email: email(`eli.${name.toLowerCase()}`), role: 'participant' as const }] : []),
        ],
        { timeZone: 'America/Denver', cohortId: cohort.json.id },
      );
      await waitFor(
        `${name} to be active`,
        async () => (await stack.database.db.partnership.findUniqueOrThrow({ where: { id } })).status === 'active',
      );
      return id;
    };
    const [aspen, birch] = [await make('Aspen', true), await make('Birch', false)];

    const { page } = await signIn(stack, browser, email('cora'));
    await page.goto(`${stack.publicUrl}/dashboard/cohorts`);
    await page.getByRole('link', { name: 'Start an inquiry cycle in every partnership' }).click();
    await expectAccessible(page);
    const day = (n: number) => new Date(Date.now() + n * DAY).toISOString().slice(0, 10);
    for (const [i, phase] of ['Plan', 'Do', 'Study', 'Act', 'Reflect'].entries()) {
      await page
        .locator('fieldset', { hasText: `${phase}:` })
        .getByLabel('Due')
        .fill(`${day((i + 1) * 10)}T16:00`);
    }
    // A mistake is named at its field, what was typed is kept, and nothing is started.
    await page.getByLabel('The question').fill('   ');
    await page.getByRole('button', { name: 'Start the cycles' }).click();
    await expect.poll(() => page.locator('#f-question-error').textContent()).toMatch(/Ask the question/);
    expect(await page.locator('fieldset', { hasText: 'Plan:' }).getByLabel('Due').inputValue()).toBe(`${day(10)}T16:00`);
    expect(await stack.database.db.inquiryCycle.count({ where: { partnershipId: { in: [aspen, birch] } } })).toBe(0);

    await page.getByLabel('The question').fill('Do weekly data chats raise fluency?');
    await page.getByRole('button', { name: 'Start the cycles' }).click();
    // The do phase goes to a participant by default: Birch has none, and says so.
    await expect
      .poll(() => page.locator('.flash').textContent())
      .toBe('An inquiry cycle started in 1 partnership of Willow cohort. Not in: Birch (Do: no member of Birch has this role).');
    const cycles = await stack.database.db.inquiryCycle.findMany({ where: { partnershipId: { in: [aspen, birch] } } });
    expect(cycles.map((c) => [c.partnershipId, c.question])).toEqual([[aspen, 'Do weekly data chats raise fluency?']]);

    // A participant of the cohort's partnership sees the cohort, but may not start its cycles.
    const { page: member } = await signIn(stack, browser, email('eli.aspen'));
    const refused = await member.goto(`${stack.publicUrl}/dashboard/cohorts/${cohort.json.id}/inquiry`);
    expect(refused?.status()).toBe(403);
    await member.goto(`${stack.publicUrl}/dashboard/cohorts`);
    expect(await member.getByRole('link', { name: 'Start an inquiry cycle in every partnership' }).count()).toBe(0);
  });
});

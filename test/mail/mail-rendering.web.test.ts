import { describe, expect, it } from 'vitest';
import { type Message, renderMail } from '../../core/mail/message.js';
import {
  addressConfirm,
  deadlineAssigned,
  deadlineNotice,
  digest,
  inquiryPhaseOpened,
  partnershipLifecycle,
  reflectionPrompt,
  reflectionSummary,
  reviewInvitation,
  reviewReminder,
  signIn,
  workHandedOver,
} from '../../core/mail/templates.js';
import { useBrowser } from '../support/browser.js';
import { expectAccessible } from '../support/web.js';

/**
 * Every message as a mail app shows it: its HTML part in Chromium at a phone's width and a desktop's,
 * with long names and a long description; nothing runs off the side, and axe-core finds nothing
 * serious (language, contrast, link names).
 */
const at = Date.UTC(2027, 2, 12, 21, 30);
const zone = 'America/Chicago';
const long = 'Lakeside Unified School District and the Connecticut Center for School Change literacy partnership';
const review = {
  partnershipName: long,
  label: 'quarterly review',
  sequence: 3,
  scheduledAt: at,
  timeZone: zone,
  link: 'https://tandem.example/p/1/reviews/2?t=abc&u=def',
};
const deadline = {
  partnershipName: long,
  description: `${long}: share the walkthrough data with every principal`,
  ownerName: 'Ana Diaz',
  dueAt: at,
  timeZone: zone,
  link: 'https://tandem.example/p/1/commitments/3',
};
const MESSAGES: [string, Message][] = [
  ['review-reminder', reviewReminder(review)],
  [
    'review-invitation (moved)',
    reviewInvitation({
      ...review,
      moved: { from: at - 7 * 86_400_000, reason: 'the school calendar "district.ics" changed: PD day has no reviews' },
    }),
  ],
  ['reflection-prompt', reflectionPrompt('prompt', { ...review, closesAt: at })],
  [
    'reflection-summary',
    reflectionSummary({
      ...review,
      answered: ['Ana Diaz', 'Ben Ode'],
      missing: ['Cal Moss'],
      questions: [
        { label: 'What worked?', answers: [{ name: 'Ana Diaz', text: 'The walkthrough protocol gave us shared evidence.' }], themes: [] },
      ],
      themes: [{ phrase: 'walkthrough protocol', people: 2 }],
    }),
  ],
  ['commitment-escalation', deadlineNotice('commitment', 'escalation', deadline)],
  ['commitment-assigned', deadlineAssigned('commitment', { ...deadline, by: 'Ben Ode' })],
  ['partnership-paused', partnershipLifecycle('paused', { ...review, at, reason: 'superintendent transition', nextReviewAt: null })],
  [
    'work-handed-over',
    workHandedOver({
      partnershipName: long,
      fromName: 'Ana Diaz',
      toName: 'Ben Ode',
      reason: null,
      items: [{ label: 'Commitment', description: deadline.description, dueAt: at }],
      timeZone: zone,
      link: review.link,
    }),
  ],
  [
    'inquiry-phase',
    inquiryPhaseOpened({
      partnershipName: long,
      cycleNumber: 2,
      phaseLabel: 'Study',
      ask: 'What did the data show?',
      question: 'Do weekly data chats raise fluency?',
      dueAt: at,
      timeZone: zone,
      link: review.link,
    }),
  ],
  ['sign-in', signIn({ link: 'https://tandem.example/link?t=abc&u=def', expiresAt: at, timeZone: zone })],
  [
    'address-confirm',
    addressConfirm({ name: 'Ana Diaz', newEmail: 'ana.diaz@new-district.example', link: review.link, expiresAt: at, timeZone: zone }),
  ],
];
MESSAGES.push([
  'digest',
  digest({
    at,
    timeZone: zone,
    items: MESSAGES.slice(0, 3).map(([, message]) => ({ message, unsubscribeUrl: 'https://tandem.example/unsubscribe/1' })),
  }),
]);

describe('every message, as a mail app shows it', () => {
  const browser = useBrowser();

  for (const width of [390, 1280]) {
    it(`fits ${width} px without running off the side, and passes axe-core`, async () => {
      const context = await browser.newContext({ viewport: { width, height: 900 } });
      const page = await context.newPage();
      for (const [name, message] of MESSAGES) {
        const { html, text } = renderMail(message, {
          timeZone: zone,
          unsubscribeUrl: 'https://tandem.example/unsubscribe/1',
          partnershipName: long,
        });
        await page.setContent(html);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect([name, overflow]).toEqual([name, 0]);
        expect(await page.locator('td', { hasText: /^Tandem$/ }).count(), name).toBe(1);
        await expectAccessible(page);
        // The text part says the same, with every button's address.
        for (const b of message.blocks.filter((x) => x.kind === 'button')) expect(text, name).toContain(`${b.label}: ${b.href}`);
      }
      await context.close();
    });
  }
});

import { describe, expect, it } from 'vitest';
import { type Message, type RenderedMail, renderMail } from '../../core/mail/message.js';
import {
  deadlineNotice,
  digest,
  formatLocalTime,
  partnershipLifecycle,
  reflectionPrompt,
  reflectionSummary,
  reviewCancelled,
  reviewInvitation,
  reviewMissed,
  reviewReminder,
} from '../../core/mail/templates.js';

describe('review reminder template', () => {
  const at = Date.UTC(2027, 0, 12, 21, 30);

  it('shows the time in the partnership zone with the zone named', () => {
    expect(formatLocalTime(at, 'America/Chicago')).toBe('Tuesday, January 12, 2027 at 3:30 PM CST (America/Chicago)');
    expect(formatLocalTime(at, 'America/New_York')).toBe('Tuesday, January 12, 2027 at 4:30 PM EST (America/New_York)');
    expect(formatLocalTime(at, 'UTC')).toBe('Tuesday, January 12, 2027 at 9:30 PM UTC');
  });

  it('escapes user text in the HTML part and keeps it verbatim in the text part', () => {
    const mail = renderMail(
      reviewReminder({
        partnershipName: '<script>alert("x")</script> & Co',
        label: 'quarterly review',
        sequence: 3,
        scheduledAt: at,
        timeZone: 'America/Chicago',
        link: 'http://localhost:3000/partnerships/abc?x=1&y=2',
      }),
    );
    expect(mail.html).not.toContain('<script>');
    // Preact escapes what could open a tag or end an attribute; a lone > is text.
    expect(mail.html).toContain('&lt;script>alert(&quot;x&quot;)&lt;/script> &amp; Co');
    expect(mail.html).toContain('href="http://localhost:3000/partnerships/abc?x=1&amp;y=2"');
    expect(mail.text).toContain('<script>alert("x")</script> & Co');
    expect(mail.subject).toBe('Reminder: quarterly review #3 of <script>alert("x")</script> & Co');
  });

  it('escapes user text in the HTML of every message, shows times in the zone it is given, and keeps text parts verbatim', () => {
    const evil = '<script>alert("x")</script>';
    const zone = 'Europe/Berlin';
    const review = {
      partnershipName: evil,
      label: 'quarterly review',
      sequence: 2,
      scheduledAt: at,
      timeZone: zone,
      link: 'http://t/p?a=1&b=2',
    };
    const deadline = { partnershipName: evil, description: evil, ownerName: evil, dueAt: at, timeZone: zone, link: 'http://t/c' };
    const mails: [string, Message][] = [
      ['review-reminder', reviewReminder(review)],
      ['review-invitation', reviewInvitation({ ...review, moved: null })],
      ['review-invitation (moved)', reviewInvitation({ ...review, moved: { from: at - 86_400_000, reason: evil } })],
      ['review-cancelled', reviewCancelled({ ...review, reason: evil })],
      ['review-missed', reviewMissed(review)],
      ['reflection-prompt', reflectionPrompt('prompt', { ...review, closesAt: at })],
      ['reflection-reminder', reflectionPrompt('reminder', { ...review, closesAt: at })],
      ['commitment-reminder', deadlineNotice('commitment', 'reminder', deadline)],
      ['commitment-overdue', deadlineNotice('commitment', 'overdue', deadline)],
      ['evidence-escalation', deadlineNotice('evidence request', 'escalation', deadline)],
      ['partnership-paused', partnershipLifecycle('paused', { ...review, at, reason: evil, nextReviewAt: null })],
      ['partnership-resumed', partnershipLifecycle('resumed', { ...review, at, nextReviewAt: at })],
      ['partnership-ended', partnershipLifecycle('ended', { ...review, at, reason: evil, nextReviewAt: null })],
    ];
    const withTimes: [string, RenderedMail][] = mails.map(
      ([name, m]) => [name, renderMail(m, { timeZone: zone, unsubscribeUrl: 'http://t/u?a=1&b=2', partnershipName: evil })] as const,
    );
    withTimes.push([
      'reflection-summary',
      renderMail(
        reflectionSummary({
          ...review,
          answered: [evil],
          missing: [],
          questions: [{ label: 'What worked?', answers: [{ name: evil, text: evil }], themes: [{ phrase: evil, people: 2 }] }],
          themes: [{ phrase: evil, people: 2 }],
        }),
        { timeZone: zone, unsubscribeUrl: null },
      ),
    ]);
    withTimes.push([
      'digest',
      renderMail(digest({ at, timeZone: zone, items: mails.slice(0, 2).map(([, m]) => ({ message: m, unsubscribeUrl: 'http://t/u' })) }), {
        timeZone: zone,
        unsubscribeUrl: null,
      }),
    ]);
    for (const [name, m] of withTimes) {
      expect(m.html, name).not.toMatch(/<script/i);
      expect(m.html, name).toContain('&lt;script>');
      expect(m.text, name).toContain(evil);
      expect(m.text, name).toContain(`Times in this message are in ${zone}.`);
      expect(m.html, name).not.toMatch(/href="[^"]*&b=/);
    }
    // 21:30 UTC in January is 10:30 PM in Berlin.
    for (const [name, m] of withTimes.filter(([n]) => !['reflection-summary', 'digest'].includes(n))) {
      expect(m.text, name).toContain('10:30 PM GMT+1 (Europe/Berlin)');
    }
  });
});

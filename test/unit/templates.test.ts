import { describe, expect, it } from 'vitest';
import { formatLocalTime, reviewReminder } from '../../lib/mail/templates.js';

describe('review reminder template', () => {
  const at = Date.UTC(2027, 0, 12, 21, 30);

  it('shows the time in the partnership zone with the zone named', () => {
    expect(formatLocalTime(at, 'America/Chicago')).toBe('Tuesday, January 12, 2027 at 3:30 PM CST (America/Chicago)');
    expect(formatLocalTime(at, 'America/New_York')).toBe('Tuesday, January 12, 2027 at 4:30 PM EST (America/New_York)');
  });

  it('escapes user text in the HTML part and keeps it verbatim in the text part', () => {
    const mail = reviewReminder({
      partnershipName: '<script>alert("x")</script> & Co',
      sequence: 3,
      scheduledAt: at,
      timeZone: 'America/Chicago',
      link: 'http://localhost:3000/partnerships/abc?x=1&y=2',
    });
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co');
    expect(mail.html).toContain('href="http://localhost:3000/partnerships/abc?x=1&amp;y=2"');
    expect(mail.text).toContain('<script>alert("x")</script> & Co');
    expect(mail.subject).toBe('Reminder: quarterly review #3 of <script>alert("x")</script> & Co');
  });
});

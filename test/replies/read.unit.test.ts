import { describe, expect, it } from 'vitest';
import { isAutomatic, readDeadlineReply, readReflection, visibleText } from '../../core/replies/read.js';

/** How replies are read: the new text above each mail app's quoting, the answer it gives, and automatic mail. */

const QUOTED = {
  gmail:
    'Done, sent it Friday\n\nOn Mon, Dec 7, 2026 at 9:00 AM Tandem <tandem@tandem.example> wrote:\n> Overdue: Send the coaching plan\n> Mark it done\n',
  outlook:
    'Done, sent it Friday\n\n________________________________\nFrom: Tandem <tandem@tandem.example>\nSent: Monday, December 7, 2026 9:00 AM\nTo: Ben Ode <ben@lakeside.example>\nSubject: Overdue: Send the coaching plan\n\nA commitment in Lakeside literacy was due\n',
  // Outlook on the web quotes with the same header block, without the rule above it.
  outlookWeb:
    'Done, sent it Friday\n\nFrom: Tandem <tandem@tandem.example>\nSent: Monday, December 7, 2026 9:00 AM\nTo: Ben Ode <ben@lakeside.example>\nSubject: Overdue: Send the coaching plan\n\nA commitment in Lakeside literacy was due\n',
  apple:
    'Done, sent it Friday\n\n> On Dec 7, 2026, at 9:00 AM, Tandem <tandem@tandem.example> wrote:\n> \n> Overdue: Send the coaching plan\n',
  mobile: 'Done, sent it Friday\n\nSent from my iPhone\n\n> On Dec 7, 2026, at 09:00, Tandem <tandem@tandem.example> wrote:\n> Overdue\n',
};

describe('reading a reply', () => {
  it.each(Object.entries(QUOTED))('keeps only the new text of a %s reply', (_app, text) => {
    expect(visibleText(text)).toBe('Done, sent it Friday');
  });

  it('reads "done" with its note, and "need until <date>" in the partnership’s zone, keeping the time of day', () => {
    const now = Date.parse('2026-12-05T20:00:00Z');
    const dueAt = Date.parse('2026-12-10T23:00:00Z'); // 5 PM in Chicago
    const at = { timeZone: 'America/Chicago', dueAt, now };
    expect(readDeadlineReply('done, sent it Friday', at)).toEqual({ kind: 'done', note: 'sent it Friday' });
    expect(readDeadlineReply('Completed.', at)).toEqual({ kind: 'done', note: '' });
    // March 3 in December is next March; 5 PM Chicago is 23:00 UTC in winter.
    expect(readDeadlineReply('need until March 3, waiting for the survey', at)).toEqual({
      kind: 'extend',
      dueAt: Date.parse('2027-03-03T23:00:00Z'),
      reason: 'waiting for the survey',
    });
    expect(readDeadlineReply('We need more time until 2027-01-15\r\nthe data is late', at)).toEqual({
      kind: 'extend',
      dueAt: Date.parse('2027-01-15T23:00:00Z'),
      reason: 'the data is late',
    });
    expect(readDeadlineReply('need until whenever', at)).toEqual({ kind: 'unclear-date', said: 'whenever' });
    expect(readDeadlineReply('Who should I ask?', at)).toBeNull();
  });

  it('reads a reflection under the prompt’s headings, and keeps text without them as what worked', () => {
    expect(readReflection("**What worked?** the visits\nand the coaching\n\nWhat didn't: data late\nHow to improve: earlier")).toEqual({
      whatWorked: 'the visits\nand the coaching',
      whatDidnt: 'data late',
      howToImprove: 'earlier',
      sectioned: true,
    });
    expect(readReflection('It went well.')).toEqual({ whatWorked: 'It went well.', whatDidnt: '', howToImprove: '', sectioned: false });
  });

  it('knows automatic mail by its headers and subjects, and a person’s by their absence', () => {
    const h = (o: Record<string, string>) => new Map(Object.entries(o));
    expect(isAutomatic(h({ 'auto-submitted': 'auto-replied' }), 'Re: Overdue')).toBe(true);
    expect(isAutomatic(h({ 'auto-submitted': 'no' }), 'Re: Overdue')).toBe(false);
    expect(isAutomatic(h({ 'x-auto-response-suppress': 'All' }), 'Re: Overdue')).toBe(true);
    expect(isAutomatic(h({ precedence: 'bulk' }), 'Re: Overdue')).toBe(true);
    expect(isAutomatic(h({ 'list-id': '<staff.lakeside.example>' }), 'Re: Overdue')).toBe(true);
    expect(isAutomatic(h({}), 'Automatic reply: Overdue: Send the plan')).toBe(true);
    expect(isAutomatic(h({}), 'Out of Office: back Monday')).toBe(true);
    expect(isAutomatic(h({}), 'Re: Overdue: Send the plan')).toBe(false);
  });
});

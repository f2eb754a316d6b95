import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CalendarFileError, parseSchoolCalendar } from '../../core/reviews/school-calendar.js';

const file = (name: string) => readFile(path.resolve(import.meta.dirname, '../fixtures/calendars', name), 'utf8');
const NOW = Date.parse('2026-11-30T12:00:00Z');

/**
 * School calendars as Google Calendar and Outlook (Exchange) export them, read into days without
 * reviews: the fixtures are written in those exports' exact shapes (CRLF lines, VTIMEZONE blocks,
 * Windows zone names, X-MICROSOFT-CDO properties, RECURRENCE-ID overrides).
 */
describe('reading a school calendar (.ics)', () => {
  it('reads a Google Calendar export: all-day, multi-day, yearly, monthly with an exception, timed, UTC, cancelled', async () => {
    const days = parseSchoolCalendar(await file('google-school-year.ics'), 'America/Chicago', NOW);
    const labelled = (label: string) => days.filter((d) => d.label === label).map((d) => [d.start, d.end]);
    // Yearly, from a year back to five years ahead: the break's last day is the day before DTEND.
    expect(labelled('Winter break (no school)')).toEqual([2025, 2026, 2027, 2028, 2029, 2030].map((y) => [`${y}-12-22`, `${y + 1}-01-04`]));
    expect(labelled('Thanksgiving break')).toEqual([['2026-11-25', '2026-11-27']]);
    expect(labelled('Teacher in-service day')).toEqual([['2027-02-12', '2027-02-12']]);
    // 23:00 UTC on March 4 is 5 PM in Chicago: the 4th.
    expect(labelled('Parent-teacher conferences')).toEqual([['2027-03-04', '2027-03-04']]);
    // Nine first Fridays, October's taken out (EXDATE).
    expect(labelled('Staff PD day (no school)').map(([d]) => d)).toEqual([
      '2026-09-04',
      '2026-11-06',
      '2026-12-04',
      '2027-01-01',
      '2027-02-05',
      '2027-03-05',
      '2027-04-02',
      '2027-05-07',
    ]);
    expect(labelled('Snow make-up day (cancelled)')).toEqual([]);
  });

  it('reads an Outlook (Exchange) export: Windows zone names, a moved occurrence, a timed event', async () => {
    const days = parseSchoolCalendar(await file('outlook-school-year.ics'), 'America/Chicago', NOW);
    expect(days.filter((d) => d.label === 'Spring break')).toEqual([{ start: '2027-03-15', end: '2027-03-19', label: 'Spring break' }]);
    // Three Tuesdays, the second moved to Wednesday with its own title.
    expect(days.filter((d) => d.label?.startsWith('State testing')).map((d) => [d.start, d.label])).toEqual([
      ['2027-04-06', 'State testing window'],
      ['2027-04-14', 'State testing window (make-up day)'],
      ['2027-04-20', 'State testing window'],
    ]);
    expect(days.filter((d) => d.label === 'Graduation').map((d) => [d.start, d.end])).toEqual([['2027-05-28', '2027-05-28']]);
    expect(days.filter((d) => d.label === 'District closed (year-end)').map((d) => d.start)).toEqual([
      '2026-12-28',
      '2027-12-28',
      '2028-12-28',
      '2029-12-28',
      '2030-12-28',
    ]);
  });

  it('refuses a file that is no calendar, or an event without a start, saying which', async () => {
    expect(() => parseSchoolCalendar('Date,Event\n2027-01-04,Winter break ends\n', 'UTC', NOW)).toThrow(
      /the file is not an iCalendar \(\.ics\) file/,
    );
    expect(() => parseSchoolCalendar(`BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n`, 'UTC', NOW)).toThrow(
      'the calendar has no events',
    );
    const noStart = () =>
      parseSchoolCalendar(
        `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x1\r\nSUMMARY:Field day\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`,
        'UTC',
        NOW,
      );
    expect(noStart).toThrow(CalendarFileError);
    expect(noStart).toThrow('"Field day" has no start (DTSTART)');
  });

  it('refuses an event whose recurrence falls on no date, rather than reading it as days off in March', () => {
    const ics = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//Tandem tests//EN',
      'BEGIN:VEVENT',
      'UID:feb30@test',
      'DTSTART;VALUE=DATE:20270201',
      'DTEND;VALUE=DATE:20270202',
      'RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30',
      'SUMMARY:Founders day',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    expect(() => parseSchoolCalendar(ics, 'America/Chicago', Date.parse('2027-01-01T00:00:00Z'))).toThrow(
      '"Founders day" has a recurrence that falls on no date (FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30)',
    );
  });
});

import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import type { Db } from '../../lib/db/client.js';
import { type Blackout, recursOnSomeDate } from './recurrence.js';

/**
 * A school calendar exported as .ics (Google Calendar, Outlook, Exchange) read into blackouts: every
 * day an event covers is a day without reviews. Parsed by ical.js (Mozilla's iCalendar library):
 * all-day events (DTEND is the day after), multi-day events, recurring events with their exceptions
 * (EXDATE, a moved occurrence's RECURRENCE-ID), and timed events in their own zone or in UTC.
 */

export class CalendarFileError extends Error {
  override name = 'CalendarFileError';
}

/** Occurrences are read from a year back to this far ahead; a rule without end stops there. */
const YEARS_AHEAD = 5;
const MAX_BLACKOUTS = 500;

type Time = InstanceType<typeof ICAL.Time>;

/** The local date of a time: as written in its own zone, or in `zone` when it is UTC. */
function localDate(t: Time, zone: string): DateTime {
  if (t.isDate) return DateTime.fromObject({ year: t.year, month: t.month, day: t.day }, { zone });
  if (t.zone === ICAL.Timezone.utcTimezone) return DateTime.fromMillis(t.toUnixTime() * 1000, { zone }).startOf('day');
  return DateTime.fromObject({ year: t.year, month: t.month, day: t.day }, { zone });
}

/** The days an occurrence covers: DTEND is exclusive (an all-day event on the 5th ends on the 6th). */
function span(start: Time, end: Time | null, zone: string): { start: DateTime; end: DateTime } {
  const first = localDate(start, zone);
  if (!end) return { start: first, end: first };
  let last = localDate(end, zone);
  if (end.isDate || (end.hour === 0 && end.minute === 0 && end.second === 0)) last = last.minus({ days: 1 });
  return { start: first, end: DateTime.max(first, last) };
}

export function parseSchoolCalendar(text: string, zone: string, now = Date.now()): Blackout[] {
  if (!/^\s*BEGIN:VCALENDAR\b/i.test(text.replace(/^\uFEFF/, ''))) {
    throw new CalendarFileError('the file is not an iCalendar (.ics) file: it does not begin with BEGIN:VCALENDAR');
  }
  let root: InstanceType<typeof ICAL.Component>;
  try {
    root = new ICAL.Component(ICAL.parse(text));
  } catch (e) {
    // The parser quotes the line it stopped at; a line of a broken file can be very long.
    const reason = (e as Error).message;
    throw new CalendarFileError(
      `the file is not a valid iCalendar (.ics) file: ${reason.length > 120 ? `${reason.slice(0, 119)}…` : reason}`,
    );
  }
  if (root.name !== 'vcalendar') throw new CalendarFileError('the file is not an iCalendar (.ics) file: it has no VCALENDAR');
  const from = DateTime.fromMillis(now, { zone }).minus({ years: 1 }).startOf('day');
  const until = DateTime.fromMillis(now, { zone }).plus({ years: YEARS_AHEAD }).endOf('day');
  const vevents = root.getAllSubcomponents('vevent');
  if (vevents.length === 0) throw new CalendarFileError('the calendar has no events');

  // A moved or changed occurrence of a recurring event is its own VEVENT with the master's UID.
  const exceptions = vevents.filter((v) => v.hasProperty('recurrence-id'));
  const blackouts: Blackout[] = [];
  const add = (summary: string, days: { start: DateTime; end: DateTime }) => {
    if (days.end < from || days.start > until) return;
    blackouts.push({
      start: days.start.toISODate() as string,
      end: days.end.toISODate() as string,
      ...(summary && { label: summary.slice(0, 100) }),
    });
  };
  for (const vevent of vevents.filter((v) => !v.hasProperty('recurrence-id'))) {
    const event = new ICAL.Event(vevent);
    const summary = (event.summary ?? '').trim();
    const name = summary ? `"${summary}"` : `the event ${event.uid ?? ''}`.trim();
    if (String(vevent.getFirstPropertyValue('status') ?? '').toUpperCase() === 'CANCELLED') continue;
    if (!event.startDate) throw new CalendarFileError(`${name} has no start (DTSTART)`);
    for (const exception of exceptions.filter((x) => x.getFirstPropertyValue('uid') === event.uid)) {
      // Exchange names a moved all-day occurrence by a midnight date-time: as a date it matches.
      const id = exception.getFirstPropertyValue('recurrence-id') as Time;
      if (event.startDate.isDate && !id.isDate) {
        const day = id.clone();
        day.isDate = true;
        exception.updatePropertyWithValue('recurrence-id', day);
      }
      event.relateException(new ICAL.Event(exception));
    }
    if (!event.isRecurring()) {
      add(summary, span(event.startDate, event.endDate, zone));
      continue;
    }
    for (const rule of vevent.getAllProperties('rrule')) {
      const start = event.startDate;
      const local = `${String(start.year).padStart(4, '0')}${String(start.month).padStart(2, '0')}${String(start.day).padStart(2, '0')}T${String(start.hour).padStart(2, '0')}${String(start.minute).padStart(2, '0')}00`;
      if (!recursOnSomeDate(String(rule.getFirstValue()), local, zone)) {
        throw new CalendarFileError(`${name} has a recurrence that falls on no date (${String(rule.getFirstValue())})`);
      }
    }
    let iterator: ReturnType<typeof event.iterator>;
    try {
      iterator = event.iterator();
    } catch (e) {
      throw new CalendarFileError(`${name} has a recurrence that cannot be read: ${(e as Error).message}`);
    }
    for (let next = iterator.next(), n = 0; next; next = iterator.next(), n++) {
      const occurrence = event.getOccurrenceDetails(next);
      const days = span(occurrence.startDate, occurrence.endDate, zone);
      if (days.start > until) break;
      if (n > 5_000) throw new CalendarFileError(`${name} recurs too often to be a school calendar`);
      const item = occurrence.item as InstanceType<typeof ICAL.Event>;
      if (String(item.component.getFirstPropertyValue('status') ?? '').toUpperCase() === 'CANCELLED') continue;
      add((item.summary ?? summary).trim(), days);
    }
  }
  if (blackouts.length === 0) throw new CalendarFileError('the calendar has no events between a year ago and five years from now');
  if (blackouts.length > MAX_BLACKOUTS) {
    throw new CalendarFileError(`the calendar has ${blackouts.length} days off in the coming years; at most ${MAX_BLACKOUTS} are kept`);
  }
  return blackouts.sort((a, b) => a.start.localeCompare(b.start) || a.end.localeCompare(b.end));
}

/** The blackouts of the school calendars a partnership shares: its district's and its cohort's. */
export async function calendarBlackouts(
  db: Pick<Db, 'schoolCalendar'>,
  p: { districtId?: string | null; cohortId?: string | null },
): Promise<Blackout[]> {
  const owners = [...(p.districtId ? [{ districtId: p.districtId }] : []), ...(p.cohortId ? [{ cohortId: p.cohortId }] : [])];
  if (owners.length === 0) return [];
  const calendars = await db.schoolCalendar.findMany({ where: { OR: owners }, select: { blackouts: true } });
  return calendars.flatMap((c) => c.blackouts as unknown as Blackout[]);
}

/** The partnership's recurrence, with its own blackouts and those of its district's and cohort's school calendars. */
export const partnershipSchedule = async (
  db: Pick<Db, 'schoolCalendar'>,
  p: { recurrenceRule: string; recurrenceStart: string; timeZone: string; blackouts: unknown; districtId: string; cohortId: string | null },
) => ({
  rrule: p.recurrenceRule,
  start: p.recurrenceStart,
  timeZone: p.timeZone,
  blackouts: [...(p.blackouts as Blackout[]), ...(await calendarBlackouts(db, p))],
});

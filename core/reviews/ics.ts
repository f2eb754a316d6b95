import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';

/**
 * iCalendar for what Tandem schedules. Every event's UID is derived from the row it shows, so a
 * calendar app that refreshes a feed updates the event in place when a review moves.
 */
export interface CalendarItem {
  kind: 'review' | 'commitment' | 'evidence';
  id: string;
  start: Date;
  minutes: number;
  summary: string;
  description: string;
  url: string;
  cancelled: boolean;
  /** Raised each time the item moves or is cancelled, so calendar apps take the newer version. */
  sequence: number;
}

// Reviews have no length of their own yet; an hour is what the articles describe.
export const REVIEW_MINUTES = 60;

/**
 * Text on one line. The library escapes what it writes (SUMMARY, an attendee's CN) except the
 * calendar's own name, which it writes as given: a line break there would start a property of its
 * own. Names are one line when they enter Tandem; this holds for what was stored before that rule.
 */
const oneLine = (s: string) => s.replace(/[\r\n\u2028\u2029]+/g, ' ');

const eventUid = (kind: CalendarItem['kind'], id: string) => `${kind}-${id}@tandem`;
const prodId = { company: 'Tandem', product: 'review-cycles', language: 'EN' };

export function calendarFeed(name: string, items: CalendarItem[]): string {
  const calendar = ical({ name: oneLine(name), prodId, ttl: 3600 });
  for (const item of items) {
    calendar.createEvent({
      id: eventUid(item.kind, item.id),
      start: item.start,
      end: new Date(item.start.getTime() + item.minutes * 60_000),
      summary: oneLine(item.summary),
      description: item.description,
      url: item.url,
      status: item.cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
      sequence: item.sequence,
    });
  }
  return calendar.toString();
}

/**
 * An invitation to a review (REQUEST) or its cancellation (CANCEL), with the same UID as the feed's
 * event: an app that imported either one updates that event rather than adding a second.
 */
export function reviewInvitation(input: {
  method: 'REQUEST' | 'CANCEL';
  reviewId: string;
  sequence: number;
  start: Date;
  summary: string;
  description: string;
  url: string;
  /** Whom the review is organized by (a lead); the invitation is sent by Tandem on their behalf. */
  organizer: { name: string; email: string };
  sentBy: string;
  attendees: { name: string; email: string }[];
  /** Ask calendar apps to answer (RSVP): when the organizer is Tandem's invitation address, which reads the answers. */
  rsvp?: boolean;
}): string {
  const calendar = ical({ prodId, method: input.method === 'CANCEL' ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST });
  calendar.createEvent({
    id: eventUid('review', input.reviewId),
    sequence: input.sequence,
    start: input.start,
    end: new Date(input.start.getTime() + REVIEW_MINUTES * 60_000),
    summary: oneLine(input.summary),
    description: input.description,
    url: input.url,
    status: input.method === 'CANCEL' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    // A lead organizes it, Tandem sends it (SENT-BY): an answer a calendar app sends reaches a person,
    // not a no-reply address; with MAIL_REPLY_DOMAIN the organizer is Tandem's invitation address,
    // which reads the answers (core/replies/attendance.ts), and an answer is asked for.
    organizer: { name: oneLine(input.organizer.name), email: input.organizer.email, sentBy: input.sentBy },
    attendees: input.attendees.map((a) => ({
      name: oneLine(a.name),
      email: a.email,
      role: ICalAttendeeRole.REQ,
      status: ICalAttendeeStatus.NEEDSACTION,
      rsvp: input.rsvp ?? false,
    })),
  });
  return calendar.toString();
}

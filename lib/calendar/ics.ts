import ical, { ICalEventStatus } from 'ical-generator';

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
}

const eventUid = (kind: CalendarItem['kind'], id: string) => `${kind}-${id}@tandem`;

export function calendarFeed(name: string, items: CalendarItem[]): string {
  const calendar = ical({ name, prodId: { company: 'Tandem', product: 'review-cycles', language: 'EN' }, ttl: 3600 });
  for (const item of items) {
    calendar.createEvent({
      id: eventUid(item.kind, item.id),
      start: item.start,
      end: new Date(item.start.getTime() + item.minutes * 60_000),
      summary: item.summary,
      description: item.description,
      url: item.url,
      status: item.cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    });
  }
  return calendar.toString();
}

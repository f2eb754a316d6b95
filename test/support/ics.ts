import ICAL from 'ical.js';

/** An invitation as a calendar app reads it, parsed by ical.js (an independent iCalendar parser). */
export function parseInvitation(ics: string) {
  const calendar = new ICAL.Component(ICAL.parse(ics));
  const [vevent, ...more] = calendar.getAllSubcomponents('vevent');
  if (!vevent || more.length > 0) throw new Error(`expected one VEVENT, got ${more.length + (vevent ? 1 : 0)}`);
  const event = new ICAL.Event(vevent);
  // The URI scheme is case-insensitive (RFC 3986); generators differ.
  const address = (uri: unknown) => String(uri).replace(/^mailto:/i, 'mailto:');
  return {
    method: String(calendar.getFirstPropertyValue('method')),
    uid: event.uid,
    sequence: event.sequence,
    start: event.startDate.toJSDate().getTime(),
    end: event.endDate.toJSDate().getTime(),
    status: String(vevent.getFirstPropertyValue('status')),
    summary: event.summary,
    organizer: address(event.organizer),
    sentBy: address(vevent.getFirstProperty('organizer')?.getParameter('sent-by') ?? ''),
    attendees: event.attendees.map((a) => address(a.getFirstValue())),
    rsvp: event.attendees.map((a) => String(a.getParameter('rsvp') ?? 'FALSE').toUpperCase()),
  };
}

import { DateTime } from 'luxon';

/** "Tue, Jan 12, 2027, 3:30 PM CST": a time in the reader's zone, short enough for a phone. */
export function localTime(at: Date | number, timeZone: string): string {
  return DateTime.fromMillis(typeof at === 'number' ? at : at.getTime(), { zone: timeZone }).toFormat('ccc, LLL d, yyyy, h:mm a ZZZZ');
}

export function localDate(at: Date | number, timeZone: string): string {
  return DateTime.fromMillis(typeof at === 'number' ? at : at.getTime(), { zone: timeZone }).toFormat('ccc, LLL d, yyyy');
}

/** A time, machine-readable too. */
export function When({ at, zone }: { at: Date; zone: string }) {
  return <time dateTime={at.toISOString()}>{localTime(at, zone)}</time>;
}

/** The value of a datetime-local field for a time in a zone (forms take local times). */
export function localInput(at: Date | number, timeZone: string): string {
  return DateTime.fromMillis(typeof at === 'number' ? at : at.getTime(), { zone: timeZone }).toFormat("yyyy-LL-dd'T'HH:mm");
}

/** A datetime-local value read in a zone, as an ISO instant; null when it is not a time. */
export function fromLocalInput(value: string | undefined, timeZone: string): string | null {
  if (!value) return null;
  const t = DateTime.fromISO(value, { zone: timeZone });
  return t.isValid ? (t.toUTC().toISO() as string) : null;
}

const STATUS_LABELS: Record<string, string> = {
  open: 'Open',
  overdue: 'Overdue',
  done: 'Done',
  dropped: 'Dropped',
  submitted: 'Submitted',
  waived: 'Waived',
  scheduled: 'Scheduled',
  held: 'Held',
  skipped: 'Skipped',
  missed: 'Missed',
  active: 'Active',
  paused: 'Paused',
  planning: 'Planning',
  completed: 'Completed',
  ended_early: 'Ended early',
  recorded: 'Recorded',
  upcoming: 'Upcoming',
  'not reached': 'Not reached',
  closed: 'Closed',
  ended: 'Ended',
};

/** A status as a word and a badge (its colour never the only cue). */
export function Status({ value }: { value: string }) {
  return <span class={`badge badge-${value}`}>{STATUS_LABELS[value] ?? value}</span>;
}

/** The engagement pathways, as people read them (a partnership's record, a catalog's offers). */
export const PATHWAY_LABELS: Record<'introductory' | 'pilot' | 'whole_school' | 'systemic', string> = {
  introductory: 'Introductory',
  pilot: 'Pilot',
  whole_school: 'Whole school',
  systemic: 'Systemic',
};

export const ROLE_LABELS: Record<string, string> = {
  executive_sponsor: 'Executive sponsor',
  district_lead: 'District lead',
  partner_lead: 'Partner lead',
  participant: 'Participant',
};

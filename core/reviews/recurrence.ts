import { DateTime } from 'luxon';
import { RRuleTemporal } from 'rrule-temporal';

/**
 * When a partnership's reviews happen: an RFC 5545 recurrence in the partnership's IANA zone, with
 * blackout periods (winter break, spring break, summer) during which no review is held. Runs in
 * activities and the API only; workflows receive the resulting epoch times.
 */
export interface Blackout {
  /** First local date of the blackout, YYYY-MM-DD. */
  start: string;
  /** Last local date of the blackout (inclusive), YYYY-MM-DD. */
  end: string;
  label?: string;
}

export interface ReviewSchedule {
  /** RRULE value without the "RRULE:" prefix, e.g. FREQ=MONTHLY;INTERVAL=3;BYDAY=TU;BYSETPOS=2. */
  rrule: string;
  /** Local date-time of the first occurrence, without offset, e.g. 2026-09-08T15:30. */
  start: string;
  timeZone: string;
  blackouts: Blackout[];
}

export interface PlannedReview {
  at: number;
  /** Where the recurrence put it, when a blackout moved it. */
  movedFrom?: number;
  /** The blackout that moved it. */
  movedBy?: string;
}

export class ScheduleError extends Error {
  override name = 'ScheduleError';
}

// Reviews are meetings: a rule firing more than daily is a mistake, not a schedule.
const ALLOWED_FREQUENCIES = new Set(['YEARLY', 'MONTHLY', 'WEEKLY', 'DAILY']);
const MAX_STEPS = 10_000;
// Reviews are at least every two years: a longer period is a typo (and a costly one to expand).
const MAX_INTERVAL = { YEARLY: 2, MONTHLY: 24, WEEKLY: 104, DAILY: 730 } as const;
// What one expansion may cost before it is refused as too complex (the event loop serves everyone).
// The clock is read only past FREE_STEPS occurrences, which every real schedule stays under (a daily
// rule through its 17-week look-back and a year ahead): a busy machine must not turn a weekly rule
// into "too costly", only a pathological one is timed.
const BUDGET_MS = 100;
const FREE_STEPS = 1_000;
// Bounds on the library's own search, so that no rule costs more than a few milliseconds to expand.
const MAX_PERIODS = 1_000;
const MAX_CANDIDATES = 20_000;
// A blackout longer than this (summer is about 11 weeks) would push reviews around by a season.
const MAX_SHIFT_WEEKS = 16;

function localStart(schedule: ReviewSchedule): DateTime {
  const t = DateTime.fromISO(schedule.start, { zone: schedule.timeZone });
  if (!t.isValid) {
    throw new ScheduleError(
      t.invalidReason === 'unsupported zone'
        ? `${schedule.timeZone} is not an IANA time zone`
        : `start ${JSON.stringify(schedule.start)} is not a local date-time such as 2026-09-08T15:30`,
    );
  }
  if (/(Z|[+-]\d\d:?\d\d)$/.test(schedule.start)) {
    throw new ScheduleError('start is a local date-time in the partnership time zone and takes no offset');
  }
  return t;
}

function buildRule(schedule: ReviewSchedule): RRuleTemporal {
  const start = localStart(schedule);
  const body = schedule.rrule.replace(/^RRULE:/i, '').trim();
  const freq = /(?:^|;)FREQ=([A-Z]+)/i.exec(body)?.[1]?.toUpperCase();
  if (!freq) throw new ScheduleError(`recurrence ${JSON.stringify(schedule.rrule)} has no FREQ`);
  if (!ALLOWED_FREQUENCIES.has(freq))
    throw new ScheduleError(`recurrence FREQ=${freq} is not allowed; use DAILY, WEEKLY, MONTHLY or YEARLY`);
  if (/(?:^|;)(DTSTART|TZID)=/i.test(body))
    throw new ScheduleError('recurrence takes its start and time zone from the partnership, not DTSTART/TZID');
  // The floor: at most one review a day. The time of day is the start's; a rule may not add others.
  if (/(?:^|;)(BYHOUR|BYMINUTE|BYSECOND)=/i.test(body))
    throw new ScheduleError('recurrence takes its time of day from its start: BYHOUR, BYMINUTE and BYSECOND are not allowed');
  const interval = Number(/(?:^|;)INTERVAL=(\d+)/i.exec(body)?.[1] ?? 1);
  if (interval > MAX_INTERVAL[freq as keyof typeof MAX_INTERVAL])
    throw new ScheduleError(
      `recurrence INTERVAL=${interval} is too long for FREQ=${freq}: reviews at least every two years (at most ${MAX_INTERVAL[freq as keyof typeof MAX_INTERVAL]})`,
    );
  try {
    return new RRuleTemporal({
      rruleString: `DTSTART;TZID=${schedule.timeZone}:${start.toFormat("yyyyMMdd'T'HHmmss")}\nRRULE:${body}`,
      strict: true,
      cache: false,
      maxIterations: MAX_PERIODS,
      maxCandidateEvaluations: MAX_CANDIDATES,
    });
  } catch (e) {
    throw new ScheduleError(`recurrence ${JSON.stringify(schedule.rrule)} is not a valid RFC 5545 RRULE: ${(e as Error).message}`);
  }
}

/** The rule's next date; a rule that never falls on a date (FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30) is a ScheduleError. */
function nextOccurrence(rule: RRuleTemporal, after: Date, inclusive: boolean, schedule: ReviewSchedule) {
  try {
    return rule.next(after, inclusive);
  } catch {
    // The library's reason ("Maximum iterations exceeded") says nothing to the person who wrote the rule.
    throw new ScheduleError(
      `recurrence ${JSON.stringify(schedule.rrule)} finds no date to hold a review on: its parts never meet (such as February 30, or Friday the 13th as the last Friday)`,
    );
  }
}

function checkBlackouts(blackouts: Blackout[]): void {
  for (const b of blackouts) {
    const start = DateTime.fromISO(b.start);
    const end = DateTime.fromISO(b.end);
    if (!/^\d{4}-\d\d-\d\d$/.test(b.start) || !start.isValid)
      throw new ScheduleError(`blackout start ${JSON.stringify(b.start)} is not a date such as 2026-12-21`);
    if (!/^\d{4}-\d\d-\d\d$/.test(b.end) || !end.isValid)
      throw new ScheduleError(`blackout end ${JSON.stringify(b.end)} is not a date such as 2027-01-01`);
    if (end < start) throw new ScheduleError(`blackout ${b.label ?? b.start} ends (${b.end}) before it starts (${b.start})`);
  }
}

/**
 * Whether a recurrence of an imported calendar's event (a school calendar) falls on any date at all:
 * a rule that never does (FEB 30th) is not read as a day off on March 1st. Bounded like the rest.
 */
export function recursOnSomeDate(rrule: string, localStart: string, timeZone: string): boolean {
  try {
    const rule = new RRuleTemporal({
      rruleString: `DTSTART;TZID=${timeZone}:${localStart}\nRRULE:${rrule}`,
      cache: false,
      maxIterations: MAX_PERIODS,
      maxCandidateEvaluations: MAX_CANDIDATES,
    });
    rule.next(new Date(0), true);
    return true;
  } catch {
    return false;
  }
}

/** Throws a ScheduleError that says what is wrong, or returns nothing. */
export function validateSchedule(schedule: ReviewSchedule): void {
  buildRule(schedule);
  checkBlackouts(schedule.blackouts);
}

function blackoutOn(localDate: string, blackouts: Blackout[]): Blackout | undefined {
  return blackouts.find((b) => b.start <= localDate && localDate <= b.end);
}

/** Moves an occurrence in a blackout to the same weekday and local time of the first week clear of it. */
function avoidBlackouts(at: DateTime, blackouts: Blackout[]): PlannedReview | null {
  let moved = at;
  let by: Blackout | undefined;
  for (let weeks = 0; weeks <= MAX_SHIFT_WEEKS; weeks++) {
    const hit = blackoutOn(moved.toISODate() as string, blackouts);
    if (!hit)
      return by ? { at: moved.toMillis(), movedFrom: at.toMillis(), movedBy: by.label ?? `${by.start}..${by.end}` } : { at: at.toMillis() };
    by ??= hit;
    moved = moved.plus({ weeks: 1 });
  }
  return null;
}

/**
 * The next `count` reviews strictly after `afterMs`, blackouts applied. A moved review that would
 * land on or after the next regular occurrence is dropped: that regular one is held instead.
 */
export function upcomingReviews(
  schedule: ReviewSchedule,
  afterMs: number,
  count: number,
  opts: { afterRegular?: number | undefined } = {},
): PlannedReview[] {
  const rule = buildRule(schedule);
  checkBlackouts(schedule.blackouts);
  // A review regularly due before afterMs may have been moved past it.
  let cursor = new Date(afterMs - (MAX_SHIFT_WEEKS + 1) * 7 * 86_400_000);
  let inclusive = true;
  const kept: PlannedReview[] = [];
  // One more than asked for beyond afterMs, because the next occurrence can still drop the last one.
  const enough = () => kept.filter((r) => r.at > afterMs).length > count;
  const started = performance.now();
  for (let step = 0; step < MAX_STEPS && !enough(); step++) {
    if (step >= FREE_STEPS && performance.now() - started > BUDGET_MS) {
      throw new ScheduleError(`recurrence ${JSON.stringify(schedule.rrule)} is too costly to expand; use a simpler rule`);
    }
    const occurrence = nextOccurrence(rule, cursor, inclusive, schedule);
    if (!occurrence) break;
    inclusive = false;
    cursor = new Date(occurrence.epochMilliseconds);
    const last = kept.at(-1);
    if (last?.movedFrom !== undefined && last.at >= occurrence.epochMilliseconds) kept.pop();
    // An occurrence at or before the last review's own regular date is that review's (or older):
    // a blackout moving it past `afterMs` must not make it the next one.
    if (opts.afterRegular !== undefined && occurrence.epochMilliseconds <= opts.afterRegular) continue;
    const planned = avoidBlackouts(DateTime.fromMillis(occurrence.epochMilliseconds, { zone: schedule.timeZone }), schedule.blackouts);
    if (planned) kept.push(planned);
  }
  return kept.filter((r) => r.at > afterMs).slice(0, count);
}

/**
 * The next review after `afterMs`. `afterRegular` is the regular date (before any blackout moved it) of
 * the last review held, missed or skipped: only occurrences after it count, so that the review a
 * blackout pushes forward is never the one just past.
 */
export function nextReview(schedule: ReviewSchedule, afterMs: number, afterRegular?: number): PlannedReview | null {
  return upcomingReviews(schedule, afterMs, 1, { afterRegular })[0] ?? null;
}

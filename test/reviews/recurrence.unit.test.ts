import { describe, expect, it, vi } from 'vitest';
import { nextReview, type ReviewSchedule, ScheduleError, upcomingReviews, validateSchedule } from '../../core/reviews/recurrence.js';

const iso = (ms: number) => new Date(ms).toISOString();
const at = (s: string) => Date.parse(s);

// Quarterly on the second Tuesday at 15:30 in Chicago, from September 2026.
const quarterly: ReviewSchedule = {
  rrule: 'FREQ=MONTHLY;INTERVAL=3;BYDAY=TU;BYSETPOS=2',
  start: '2026-09-08T15:30',
  timeZone: 'America/Chicago',
  blackouts: [],
};

describe('upcomingReviews', () => {
  it('expands a quarterly second-Tuesday rule at 15:30 local time across DST changes', () => {
    const reviews = upcomingReviews(quarterly, at('2026-09-01T00:00:00Z'), 5);
    expect(reviews.map((r) => iso(r.at))).toEqual([
      '2026-09-08T20:30:00.000Z', // CDT, UTC-5
      '2026-12-08T21:30:00.000Z', // CST, UTC-6
      '2027-03-09T21:30:00.000Z', // still CST: DST starts 2027-03-14
      '2027-06-08T20:30:00.000Z', // CDT
      '2027-09-14T20:30:00.000Z',
    ]);
    expect(reviews.every((r) => r.movedFrom === undefined)).toBe(true);
  });

  it('moves a review in a blackout to the same weekday and local time of the first week after it', () => {
    const schedule = { ...quarterly, blackouts: [{ start: '2026-12-07', end: '2026-12-11', label: 'testing week' }] };
    const [, moved] = upcomingReviews(schedule, at('2026-09-01T00:00:00Z'), 2);
    expect(iso(moved?.at as number)).toBe('2026-12-15T21:30:00.000Z');
    expect(iso(moved?.movedFrom as number)).toBe('2026-12-08T21:30:00.000Z');
    expect(moved?.movedBy).toBe('testing week');
  });

  it('keeps the local time when a blackout moves a review across the start of DST', () => {
    const schedule = { ...quarterly, blackouts: [{ start: '2027-03-08', end: '2027-03-19', label: 'spring break' }] };
    const reviews = upcomingReviews(schedule, at('2027-01-01T00:00:00Z'), 1);
    // Two weeks later, now in CDT: 15:30 local is 20:30 UTC.
    expect(reviews.map((r) => [iso(r.at), r.movedBy])).toEqual([['2027-03-23T20:30:00.000Z', 'spring break']]);
  });

  it('drops a moved review that would run into the next regular one', () => {
    const weekly: ReviewSchedule = {
      rrule: 'FREQ=WEEKLY;BYDAY=TU',
      start: '2026-12-01T09:00',
      timeZone: 'America/New_York',
      blackouts: [{ start: '2026-12-21', end: '2027-01-01', label: 'winter break' }],
    };
    const reviews = upcomingReviews(weekly, at('2026-12-01T00:00:00Z'), 5);
    expect(reviews.map((r) => iso(r.at))).toEqual([
      '2026-12-01T14:00:00.000Z',
      '2026-12-08T14:00:00.000Z',
      '2026-12-15T14:00:00.000Z',
      '2027-01-05T14:00:00.000Z',
      '2027-01-12T14:00:00.000Z',
    ]);
    expect(reviews.every((r) => r.movedFrom === undefined)).toBe(true);
  });

  it('gives a real schedule the same answer on a starved machine: only pathological rules are timed', () => {
    // Each reading of the clock half a second later than the last: a process that barely gets the CPU.
    let now = 0;
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => (now += 500));
    try {
      const daily = { ...quarterly, rrule: 'FREQ=DAILY' };
      expect(upcomingReviews(daily, at('2026-12-01T00:00:00Z'), 12)).toHaveLength(12);
      expect(upcomingReviews(quarterly, at('2026-09-01T00:00:00Z'), 5)).toHaveLength(5);
    } finally {
      clock.mockRestore();
    }
  });

  it('counts a review moved past the cut-off as upcoming', () => {
    const schedule = { ...quarterly, blackouts: [{ start: '2026-12-07', end: '2026-12-11' }] };
    const next = nextReview(schedule, at('2026-12-09T00:00:00Z'));
    expect(iso(next?.at as number)).toBe('2026-12-15T21:30:00.000Z');
    expect(next?.movedBy).toBe('2026-12-07..2026-12-11');
  });

  it('returns strictly later reviews and nothing after a finite rule ends', () => {
    const twice = { ...quarterly, rrule: 'FREQ=MONTHLY;INTERVAL=3;BYDAY=TU;BYSETPOS=2;COUNT=2' };
    expect(iso(nextReview(twice, at('2026-09-08T20:30:00Z'))?.at as number)).toBe('2026-12-08T21:30:00.000Z');
    expect(nextReview(twice, at('2026-12-08T21:30:00Z'))).toBeNull();
    expect(upcomingReviews(twice, 0, 10)).toHaveLength(2);
  });
});

describe('validateSchedule', () => {
  it.each([
    [{ rrule: 'FREQ=HOURLY' }, /FREQ=HOURLY is not allowed/],
    [{ rrule: 'INTERVAL=3' }, /has no FREQ/],
    [{ rrule: 'FREQ=MONTHLY;BYDAY=XX' }, /not a valid RFC 5545 RRULE/],
    [{ rrule: 'FREQ=MONTHLY;TZID=UTC' }, /not DTSTART\/TZID/],
    [{ timeZone: 'Mars/Olympus' }, /Mars\/Olympus is not an IANA time zone/],
    [{ start: '2026-09-08T15:30Z' }, /takes no offset/],
    [{ start: 'next tuesday' }, /is not a local date-time/],
    [
      { blackouts: [{ start: '2027-01-01', end: '2026-12-21', label: 'winter break' }] },
      /winter break ends \(2026-12-21\) before it starts/,
    ],
    [{ blackouts: [{ start: '2026-13-01', end: '2026-12-21' }] }, /blackout start "2026-13-01" is not a date/],
  ])('rejects %j', (change, message) => {
    expect(() => validateSchedule({ ...quarterly, ...change })).toThrow(ScheduleError);
    expect(() => validateSchedule({ ...quarterly, ...change })).toThrow(message);
  });

  it('accepts a sound schedule', () => {
    expect(() => validateSchedule({ ...quarterly, blackouts: [{ start: '2026-12-21', end: '2027-01-01' }] })).not.toThrow();
  });
});

import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { planReminders } from '../../lib/durations.js';

const chicago = (iso: string) => DateTime.fromISO(iso, { zone: 'America/Chicago' }).toMillis();
const utc = (ms: number) => new Date(ms).toISOString();

describe('planReminders', () => {
  it('keeps local wall-clock time across the end of daylight saving time', () => {
    // DST ends in Chicago on 2026-11-01: the review is at 15:30 CST (UTC-6), fourteen days earlier is CDT (UTC-5).
    const review = chicago('2026-11-10T15:30');
    const plan = planReminders(review, ['P14D', 'P2D'], 'America/Chicago');
    expect(plan.map((r) => utc(r.at))).toEqual(['2026-10-27T20:30:00.000Z', '2026-11-08T21:30:00.000Z']);
    expect(plan.map((r) => r.index)).toEqual([1, 2]);
  });

  it('keeps local wall-clock time across the start of daylight saving time', () => {
    // DST starts on 2027-03-14 in Chicago.
    const plan = planReminders(chicago('2027-03-16T09:00'), ['P7D'], 'America/Chicago');
    expect(utc(plan[0]?.at as number)).toBe('2027-03-09T15:00:00.000Z');
    expect(DateTime.fromMillis(plan[0]?.at as number, { zone: 'America/Chicago' }).toFormat('HH:mm')).toBe('09:00');
  });

  it('orders reminders earliest first whatever order the offsets come in, and drops duplicates', () => {
    const review = chicago('2027-01-12T15:30');
    const plan = planReminders(review, ['PT2H', 'P14D', 'P2D', 'P14D'], 'America/Chicago');
    expect(plan.map((r) => utc(r.at))).toEqual(['2026-12-29T21:30:00.000Z', '2027-01-10T21:30:00.000Z', '2027-01-12T19:30:00.000Z']);
  });

  it('rejects offsets that are not positive ISO 8601 durations', () => {
    expect(() => planReminders(0, ['14 days'], 'UTC')).toThrow(/not a positive ISO 8601 duration/);
    expect(() => planReminders(0, ['PT0S'], 'UTC')).toThrow(/not a positive ISO 8601 duration/);
  });

  it('rejects an unknown time zone', () => {
    expect(() => planReminders(0, ['P1D'], 'Mars/Olympus')).toThrow(/not a valid time zone/);
  });
});

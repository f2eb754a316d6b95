import { DateTime } from 'luxon';
import { parseOffset } from '../../lib/durations.js';

export interface PlannedReminder {
  /** 1-based, in the order the reminders go out; part of each reminder's idempotency key. */
  index: number;
  at: number;
}

/**
 * When each reminder before a review goes out. Offsets are subtracted in the partnership's zone,
 * so "P14D" before a 15:30 review is 15:30 local two weeks earlier even across a DST change.
 */
export function planReminders(scheduledAt: number, offsets: readonly string[], timeZone: string): PlannedReminder[] {
  const local = DateTime.fromMillis(scheduledAt, { zone: timeZone });
  if (!local.isValid) throw new RangeError(`${timeZone} is not a valid time zone`);
  const times = [...new Set(offsets.map((o) => local.minus(parseOffset(o)).toMillis()))].sort((a, b) => a - b);
  return times.map((at, i) => ({ index: i + 1, at }));
}

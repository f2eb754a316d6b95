import { DateTime, Duration } from 'luxon';
import { z } from 'zod';

/** A positive ISO 8601 duration (P14D, PT2H), or a RangeError. */
export function parseOffset(iso: string): Duration {
  const d = Duration.fromISO(iso);
  if (!d.isValid || d.toMillis() <= 0) throw new RangeError(`${JSON.stringify(iso)} is not a positive ISO 8601 duration`);
  return d;
}

const parses = (v: string) => {
  try {
    return parseOffset(v);
  } catch {
    return null;
  }
};

export const isoDuration = z
  .string()
  .refine((v) => parses(v) !== null, { message: 'must be a positive ISO 8601 duration such as P14D or PT2H' });

/** A positive ISO 8601 duration no longer than `max` (itself ISO 8601): P99999999Y is a typo, not a plan. */
export const isoDurationAtMost = (max: string) => {
  const limit = parseOffset(max).toMillis();
  return isoDuration.refine((v) => (parses(v)?.toMillis() ?? 0) <= limit, { message: `must be at most ${max}` });
};

/**
 * When each reminder before `at` goes out (1-based `index`, in the order they go out; part of each
 * reminder's idempotency key). Offsets are subtracted in `timeZone`, so "P14D" before a 15:30 review
 * is 15:30 local two weeks earlier even across a DST change. Reviews and deadlines share it.
 */
export function planReminders(at: number, offsets: readonly string[], timeZone: string): { index: number; at: number }[] {
  const local = DateTime.fromMillis(at, { zone: timeZone });
  if (!local.isValid) throw new RangeError(`${timeZone} is not a valid time zone`);
  const times = [...new Set(offsets.map((o) => local.minus(parseOffset(o)).toMillis()))].sort((a, b) => a - b);
  return times.map((t, i) => ({ index: i + 1, at: t }));
}

import { Duration } from 'luxon';
import { z } from 'zod';

/** A positive ISO 8601 duration (P14D, PT2H), or a RangeError. */
export function parseOffset(iso: string): Duration {
  const d = Duration.fromISO(iso);
  if (!d.isValid || d.toMillis() <= 0) throw new RangeError(`${JSON.stringify(iso)} is not a positive ISO 8601 duration`);
  return d;
}

export const isoDuration = z.string().refine(
  (v) => {
    try {
      parseOffset(v);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be a positive ISO 8601 duration such as P14D or PT2H' },
);

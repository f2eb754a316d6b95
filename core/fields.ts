import { z } from 'zod';

export const ianaTimeZone = z
  .string()
  .refine(
    (v) => {
      try {
        return Boolean(new Intl.DateTimeFormat('en-US', { timeZone: v }).resolvedOptions().timeZone);
      } catch {
        return false;
      }
    },
    { message: 'must be an IANA time zone such as America/Chicago' },
  )
  .meta({ description: 'An IANA time zone.', examples: ['America/Chicago', 'America/New_York', 'Europe/Berlin'] });

/** An email address, compared in lower case. */
export const email = z
  .email()
  .max(320)
  .transform((e) => e.toLowerCase());
/**
 * Dates people plan with lie within the next ten years: a review in the year 9999 is a typo (and
 * its calendar file could not be read), so it is refused rather than scheduled.
 */
export const HORIZON_YEARS = 10;
const EARLIEST_YEAR = 2000;
const withinHorizon = (ms: number) => ms <= Date.now() + HORIZON_YEARS * 365.25 * 86_400_000;
const horizon = `must be within the next ${HORIZON_YEARS} years`;
const localYearOk = (v: string) => {
  const year = Number(v.slice(0, 4));
  return year >= EARLIEST_YEAR && withinHorizon(Date.UTC(year, 0, 1));
};
const localRange = `must fall between ${EARLIEST_YEAR} and ${HORIZON_YEARS} years from now`;

/** An instant with its offset, e.g. 2027-01-12T15:30:00-06:00, no further ahead than the horizon. */
export const instant = z.iso.datetime({ offset: true }).refine((v) => withinHorizon(Date.parse(v)), { message: horizon });

/** A local date (YYYY-MM-DD) in a plausible range. */
export const localDate = z.iso.date().refine(localYearOk, { message: localRange });

/** A local date-time without offset (e.g. 2027-01-12T15:30), in a plausible range. */
export const localDateTime = z.iso.datetime({ local: true }).refine(localYearOk, { message: localRange });

export const uuidParam = z.object({ id: z.uuid() });

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
/** An instant with its offset, e.g. 2027-01-12T15:30:00-06:00. */
export const instant = z.iso.datetime({ offset: true });

export const localDate = z.iso.date();

export const uuidParam = z.object({ id: z.uuid() });

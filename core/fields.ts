import { z } from 'zod';

/**
 * The vocabulary every command's schema is written in: what a name, a text, an address, a time, a
 * zone may be. Whatever enters Tandem (the API, the pages, an import, the command line) is read by
 * these, so a value the database, a calendar file, a mail header or a spreadsheet would choke on is
 * refused at the door with the field named, and never reaches a workflow.
 */

// NUL (which PostgreSQL text cannot hold) and the other control characters; tab, line feed and
// carriage return are text's own.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its purpose.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
// A name, a subject, a label is one line: a line break in one would start a new header or
// calendar property wherever it is written out.
const BREAK = /[\t\n\r\u2028\u2029]/;
// Bidirectional overrides and isolates make a name read as another ("evil.exe" as "exe.live").
const BIDI_OVERRIDE = /[\u202A-\u202E\u2066-\u2069]/;

function checkCharacters(value: string, ctx: z.RefinementCtx, oneLine: boolean) {
  if (!value.isWellFormed()) ctx.addIssue({ code: 'custom', message: 'must be valid Unicode text (it holds a lone surrogate)' });
  else if (value.includes('\u0000')) ctx.addIssue({ code: 'custom', message: 'must not contain the NUL character' });
  else if (CONTROL.test(value)) ctx.addIssue({ code: 'custom', message: 'must not contain control characters' });
  else if (oneLine && BREAK.test(value)) ctx.addIssue({ code: 'custom', message: 'must be a single line' });
  else if (oneLine && BIDI_OVERRIDE.test(value)) ctx.addIssue({ code: 'custom', message: 'must not contain direction overrides' });
}

/** One line of text: a name, a title, a reason, a label. Trimmed, never empty. */
export const line = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .superRefine((v, ctx) => checkCharacters(v, ctx, true));

/** Text of several lines: notes, descriptions, answers. Trimmed, never empty. */
export const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .superRefine((v, ctx) => checkCharacters(v, ctx, false));

/** Text that may be emptied (an answer taken back): as `text`, but empty is allowed. */
export const clearableText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .superRefine((v, ctx) => checkCharacters(v, ctx, false));

/** A whole file's text (a CSV, an .ics): any line breaks, no NUL or other controls. */
export const fileText = (max: number) =>
  z
    .string()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .superRefine((v, ctx) => checkCharacters(v, ctx, false));

const CANONICAL_ZONES: ReadonlySet<string> = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC']);

/**
 * An IANA time zone, stored by its canonical name: `america/chicago` and `US/Central` are kept as
 * America/Chicago; an offset (`+05:00`) or a name the zone database does not know is refused.
 */
export const ianaTimeZone = z
  .string()
  .max(64)
  .transform((v, ctx) => {
    let resolved: string | undefined;
    try {
      resolved = new Intl.DateTimeFormat('en-US', { timeZone: v.trim() }).resolvedOptions().timeZone;
    } catch {}
    if (!resolved || !CANONICAL_ZONES.has(resolved)) {
      ctx.addIssue({ code: 'custom', message: 'must be an IANA time zone such as America/Chicago' });
      return z.NEVER;
    }
    return resolved;
  })
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

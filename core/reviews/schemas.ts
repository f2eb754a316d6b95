import { z } from 'zod';
import { commitmentSide, createCommitmentBody, createEvidenceRequestBody, evidenceKind } from '../deadlines/schemas.js';
import { email, instant, line, localDate, localDateTime, text } from '../fields.js';
import { measureValue } from '../measures/schemas.js';

export const recurrenceSchema = z
  .object({
    rrule: line(500),
    start: localDateTime,
  })
  .strict();

export const blackoutSchema = z
  .object({ start: localDate, end: localDate, label: line(100).optional() })
  .strict()
  .refine((b) => b.start <= b.end, { message: 'end must not be before start', path: ['end'] });

export const rescheduleBody = z.object({ at: instant }).strict();
export const outcomeBody = z.discriminatedUnion('outcome', [
  z
    .object({
      outcome: z.literal('held'),
      notes: text(20_000).optional(),
      decisions: z.array(text(2000)).max(100).optional(),
      commitments: z.array(createCommitmentBody).max(100).default([]),
      evidenceRequests: z.array(createEvidenceRequestBody).max(100).default([]),
      measures: z.array(measureValue).max(50).default([]).meta({ description: 'The measures of success as they stood at this review.' }),
    })
    .strict(),
  z.object({ outcome: z.literal('skipped'), reason: text(1000) }).strict(),
]);
/**
 * An outcome as the command takes it, from the API (owners by address) or the pages (owners by
 * person id): the same limits as the API's body.
 */
const pledgeOwner = z.union([z.object({ id: z.uuid() }).strict(), z.object({ email }).strict()]);
const pledge = { owner: pledgeOwner, description: text(2000), dueAt: instant };
export const outcomeInput = z.discriminatedUnion('outcome', [
  z
    .object({
      outcome: z.literal('held'),
      notes: text(20_000).optional(),
      decisions: z.array(text(2000)).max(100).optional(),
      commitments: z
        .array(z.object({ ...pledge, side: commitmentSide }).strict())
        .max(100)
        .default([]),
      evidenceRequests: z
        .array(z.object({ ...pledge, kinds: z.array(evidenceKind).min(1).max(6) }).strict())
        .max(100)
        .default([]),
      measures: z.array(measureValue).max(50).default([]),
    })
    .strict(),
  z.object({ outcome: z.literal('skipped'), reason: text(1000) }).strict(),
]);
export type OutcomeInput = z.input<typeof outcomeInput>;

export const changeRecurrenceBody = z
  .object({ recurrence: recurrenceSchema, blackouts: z.array(blackoutSchema).max(100).optional() })
  .strict();

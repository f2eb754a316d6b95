import { z } from 'zod';
import { isoDurationAtMost } from '../../lib/durations.js';
import { commitmentSide, createCommitmentBody, createEvidenceRequestBody, evidenceKind } from '../deadlines/schemas.js';
import { email, ianaTimeZone, instant, line, localDate, localDateTime, text } from '../fields.js';
import { newMember, notificationLevel } from '../people/roster.js';
import { DEFAULT_POLICY, policyOverrides } from '../policy.js';

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

const orgName = line(200);
/** An existing organization by id, or one by name (created if new). */
const organizationRef = z.union([z.object({ id: z.uuid() }).strict(), z.object({ name: orgName }).strict()]);

export const engagementPathway = z.enum(['introductory', 'pilot', 'whole_school', 'systemic']);

/** What the partnership sets out to do: written at creation, changed with PATCH. */
export const partnershipRecord = {
  goals: text(20_000).optional(),
  sharedFramework: text(20_000).optional(),
  engagementPathway: engagementPathway.optional(),
};

export const createPartnershipBody = z
  .object({
    name: line(200),
    district: organizationRef,
    partner: organizationRef,
    cohortId: z.uuid().optional(),
    timeZone: ianaTimeZone,
    firstReviewAt: instant.optional(),
    recurrence: recurrenceSchema.optional(),
    blackouts: z.array(blackoutSchema).max(100).default([]),
    reminderOffsets: z
      .array(isoDurationAtMost('P1Y'))
      .min(1)
      .max(10)
      .default([...DEFAULT_POLICY.reviewReminders]),
    outcomeGrace: isoDurationAtMost('P90D').default(DEFAULT_POLICY.reviewOutcomeGrace),
    policy: policyOverrides.default({}),
    ...partnershipRecord,
    planning: z.boolean().default(false).meta({
      description:
        'Create it in planning: nothing is sent until it is activated (POST /partnerships/{id}/activate) or its plannedStart comes.',
    }),
    plannedStart: instant.optional().meta({ description: 'When a partnership in planning becomes active by itself; implies planning.' }),
    plannedEnd: instant.optional().meta({ description: 'When it completes by itself, with a notice to every member.' }),
    members: z.array(newMember).min(1).max(500),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.plannedStart && body.plannedEnd && Date.parse(body.plannedEnd) <= Date.parse(body.plannedStart)) {
      ctx.addIssue({ code: 'custom', path: ['plannedEnd'], message: 'must be after plannedStart' });
    }
    if (!body.firstReviewAt && !body.recurrence) {
      ctx.addIssue({ code: 'custom', path: ['recurrence'], message: 'give a recurrence, a firstReviewAt, or both' });
    }
    const seen = new Set<string>();
    body.members.forEach((m, i) => {
      if (seen.has(m.email)) ctx.addIssue({ code: 'custom', path: ['members', i, 'email'], message: 'is listed twice' });
      seen.add(m.email);
    });
  });

export type CreatePartnershipBody = z.infer<typeof createPartnershipBody>;

export const pauseBody = z.object({ reason: text(1000).optional() }).strict();
export const endBody = z.object({ outcome: z.enum(['completed', 'ended_early']), reason: text(1000).optional() }).strict();
export const rescheduleBody = z.object({ at: instant }).strict();
export const outcomeBody = z.discriminatedUnion('outcome', [
  z
    .object({
      outcome: z.literal('held'),
      notes: text(20_000).optional(),
      decisions: z.array(text(2000)).max(100).optional(),
      commitments: z.array(createCommitmentBody).max(100).default([]),
      evidenceRequests: z.array(createEvidenceRequestBody).max(100).default([]),
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
    })
    .strict(),
  z.object({ outcome: z.literal('skipped'), reason: text(1000) }).strict(),
]);
export type OutcomeInput = z.input<typeof outcomeInput>;

export const reviewParams = z.object({ id: z.uuid(), reviewId: z.uuid() });

export const changeRecurrenceBody = z
  .object({ recurrence: recurrenceSchema, blackouts: z.array(blackoutSchema).max(100).optional() })
  .strict();
export const memberPreferencesBody = z.object({ notifications: notificationLevel }).strict();

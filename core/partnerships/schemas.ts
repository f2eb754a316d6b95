import { z } from 'zod';
import { isoDurationAtMost } from '../../lib/durations.js';
import { clearableText, email, ianaTimeZone, instant, line, text } from '../fields.js';
import { newMember, notificationLevel } from '../people/roster.js';
import { DEFAULT_POLICY, policyOverrides } from '../policy.js';
import { blackoutSchema, recurrenceSchema } from '../reviews/schemas.js';

/** What a partnership is made of and what is done to it as a whole, read alike from the API, the pages and the import. */

const orgName = line(200);
/** An existing organization by id, or one by name (created if new). */
const organizationRef = z.union([z.object({ id: z.uuid() }).strict(), z.object({ name: orgName }).strict()]);

export const engagementPathway = z.enum(['introductory', 'pilot', 'whole_school', 'systemic']);

/** What the partnership sets out to do: written at creation, changed with PATCH. */
export const partnershipRecord = {
  goals: text(20_000).optional(),
  sharedFramework: text(20_000).optional(),
  engagementPathway: engagementPathway.optional(),
  evidenceRubric: z.array(line(200)).max(8).optional().meta({
    description: 'What a lead checks submitted evidence against: up to 8 short criteria, each judged met or not with every verdict.',
  }),
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

/** A member's own delivery setting for one partnership's messages. */
export const memberPreferencesBody = z.object({ notifications: notificationLevel }).strict();

/** What a planning question asks about, in the order a checklist shows them. */
export const planningTopic = z.enum(['needs', 'goals', 'roles', 'expectations', 'assessment', 'communication']);

export const planningTemplateBody = z
  .object({
    questions: z
      .array(z.object({ topic: planningTopic, text: line(500) }).strict())
      .min(1)
      .max(30)
      .meta({ description: 'The questions in the order they are asked (1 to 30).' }),
  })
  .strict();

export const planningAnswersBody = z
  .object({
    answers: z
      .array(
        z
          .object({
            questionId: z.uuid(),
            answer: clearableText(5_000).meta({ description: 'Empty clears the answer.' }),
          })
          .strict(),
      )
      .min(1)
      .max(30),
    onBehalfOf: z.uuid().optional().meta({ description: 'For a key: the lead it answers for (their side is answered).' }),
  })
  .strict()
  .superRefine((body, ctx) => {
    const seen = new Set<string>();
    body.answers.forEach((a, i) => {
      if (seen.has(a.questionId)) ctx.addIssue({ code: 'custom', path: ['answers', i, 'questionId'], message: 'is answered twice' });
      seen.add(a.questionId);
    });
  });

export const activateBody = z
  .object({
    despiteUnanswered: z.boolean().default(false).meta({
      description: 'Activate although planning questions are unanswered (otherwise that is a 409 listing them).',
    }),
  })
  .strict();

/** A partner organization put into a district's or cohort's catalog, with the pathways it offers. */
export const catalogEntryBody = z
  .object({
    partner: organizationRef.meta({ description: 'A partner organization by id, or by name (made if new).' }),
    pathways: z
      .array(engagementPathway)
      .min(1)
      .max(4)
      .refine((l) => new Set(l).size === l.length, { message: 'names a pathway twice' }),
    description: text(2_000),
  })
  .strict();

/** A school's or district team's application to a partner of a catalog. */
export const catalogApplicationBody = z
  .object({
    team: line(200).meta({ description: 'The school or team that applies, e.g. "Lincoln Elementary literacy team".' }),
    districtId: z
      .uuid()
      .optional()
      .meta({ description: "The applicant's district: needed for a cohort's catalog, implied by a district's." }),
    goals: text(5_000),
    pathway: engagementPathway,
    contactName: line(200),
    contactEmail: email,
  })
  .strict();

export const catalogDecisionBody = z
  .object({
    decision: z.enum(['accepted', 'declined']),
    note: text(2_000).optional(),
    firstReviewAt: instant.optional().meta({ description: 'Accepted: when the new partnership (in planning) first meets.' }),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.decision === 'accepted' && !b.firstReviewAt)
      ctx.addIssue({ code: 'custom', path: ['firstReviewAt'], message: 'is needed to accept' });
    if (b.decision === 'declined' && !b.note) ctx.addIssue({ code: 'custom', path: ['note'], message: 'say why it is declined' });
  });

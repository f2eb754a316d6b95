import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { actorColumns } from '../../core/events.js';
import { ianaTimeZone, instant, line } from '../../core/fields.js';
import { checkNewPartnership, writePartnership } from '../../core/partnerships/create.js';
import { createPartnershipBody, partnershipRecord } from '../../core/partnerships/schemas.js';
import { actorOf } from '../../core/people/principal.js';
import { partnershipScope, seesPartnership, visiblePartnershipId } from '../../core/people/rights.js';
import { memberJson } from '../../core/people/roster.js';
import { resolvePolicy } from '../../core/policy.js';
import { upcomingReviews } from '../../core/reviews/recurrence.js';
import { planOrThrow } from '../../core/reviews/schedule.js';
import { blackoutSchema, recurrenceSchema } from '../../core/reviews/schemas.js';
import type { Prisma } from '../../generated/prisma/client.js';
import { DependencyUnavailableError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { bigintId, keyset, page, pageQuery, pageSchema } from '../../lib/pagination.js';
import { partnershipWorkflowId } from '../../workflows/ids.js';
import { type PartnershipStatus, statusQuery } from '../../workflows/partnerships/partnership.js';
import { route, tagged } from '../http/route.js';
import { nextSteps } from './next-steps.js';
import { readPartnership } from './recent-reads.js';

/** The workflow's status with times as ISO strings. */
export function liveStatusJson(live: PartnershipStatus) {
  const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
  return {
    ...live,
    currentReview: live.currentReview ? { ...live.currentReview, scheduledAt: iso(live.currentReview.scheduledAt) } : null,
    nextReviewAt: iso(live.nextReviewAt),
    nextReminderAt: iso(live.nextReminderAt),
    sentReminders: live.sentReminders.map((r) => ({ index: r.index, dueAt: iso(r.dueAt), sentAt: iso(r.sentAt) })),
  };
}

const partnershipSummary = (p: {
  id: string;
  name: string;
  status: string;
  timeZone: string;
  districtId: string;
  partnerId: string;
  cohortId: string | null;
  createdAt: Date;
}) => ({
  id: p.id,
  name: p.name,
  status: p.status,
  timeZone: p.timeZone,
  districtId: p.districtId,
  partnerId: p.partnerId,
  cohortId: p.cohortId,
  createdAt: p.createdAt.toISOString(),
});

const partnershipSummarySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    status: z.enum(['planning', 'active', 'paused', 'completed', 'ended_early']),
    timeZone: z.string(),
    districtId: z.uuid(),
    partnerId: z.uuid(),
    cohortId: z.uuid().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'PartnershipSummary' });

const listQuery = pageQuery(['createdAt', 'name'], '-createdAt').extend({
  status: z.enum(['planning', 'active', 'paused', 'completed', 'ended_early']).optional(),
  cohortId: z.uuid().optional(),
  districtId: z.uuid().optional(),
  partnerId: z.uuid().optional(),
});

const timelineQuery = pageQuery(['occurredAt'], 'occurredAt').extend({
  type: z.string().max(100).optional().meta({ description: 'Only events of this type, e.g. review.held.' }),
});

const updatePartnershipBody = z
  .object({ name: line(200).optional(), cohortId: z.uuid().nullable().optional(), ...partnershipRecord })
  .strict()
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    message: 'give at least one of name, cohortId, goals, sharedFramework, engagementPathway, evidenceRubric',
  });

/** The partnership record: what it sets out to do, and when it starts and ends by itself. */
const recordJson = (p: {
  goals: string | null;
  sharedFramework: string | null;
  engagementPathway: string | null;
  evidenceRubric: string[];
  plannedStart: Date | null;
  plannedEnd: Date | null;
}) => ({
  goals: p.goals,
  sharedFramework: p.sharedFramework,
  engagementPathway: p.engagementPathway,
  evidenceRubric: p.evidenceRubric,
  plannedStart: p.plannedStart?.toISOString() ?? null,
  plannedEnd: p.plannedEnd?.toISOString() ?? null,
});

const schedulePreviewBody = z
  .object({
    timeZone: ianaTimeZone,
    recurrence: recurrenceSchema,
    blackouts: z.array(blackoutSchema).max(100).default([]),
    count: z.number().int().min(1).max(50).default(8),
    after: instant.optional().meta({ description: 'Reviews strictly after this instant; now by default.' }),
  })
  .strict();

export const partnershipRoutes = tagged('Partnerships', [
  route('POST /partnerships', {
    operationId: 'createPartnership',
    summary: 'Create a partnership',
    description:
      'Writes the partnership, its organizations and members, then starts its lifecycle workflow. If the workflow cannot start, nothing is written (503).',
    access: 'manager',
    body: createPartnershipBody,
    errors: [503],
    responses: { 201: { description: 'Created; the workflow is running' } },
    async handle({ body, caller, deps }) {
      const checked = await checkNewPartnership(deps.db, caller, body, Date.now());
      const { partnership, review } = await deps.db.$transaction((tx) => writePartnership(tx, deps, caller, body, checked));
      const nextReviewAt = checked.nextReviewAt;
      return {
        location: `/partnerships/${partnership.id}`,
        body: {
          id: partnership.id,
          name: partnership.name,
          status: partnership.status,
          timeZone: partnership.timeZone,
          districtId: partnership.districtId,
          partnerId: partnership.partnerId,
          cohortId: partnership.cohortId,
          reminderOffsets: partnership.reminderOffsets,
          policy: resolvePolicy(partnership),
          recurrence: body.recurrence ?? null,
          blackouts: body.blackouts,
          ...recordJson(partnership),
          workflowId: partnershipWorkflowId(partnership.id),
          nextReviewAt: new Date(nextReviewAt as number).toISOString(),
          firstReview: review && { id: review.id, sequence: review.sequence, scheduledAt: review.scheduledAt.toISOString() },
        },
      };
    },
  }),

  route('GET /partnerships', {
    operationId: 'listPartnerships',
    summary: 'List partnerships',
    access: 'member',
    query: listQuery,
    responses: { 200: { description: 'One page of the partnerships the caller can see', schema: pageSchema(partnershipSummarySchema) } },
    async handle({ query, caller, deps }) {
      const { status, cohortId, districtId, partnerId } = query;
      const k = keyset(query);
      const rows = await deps.db.partnership.findMany({
        where: {
          AND: [partnershipScope(caller), { status, cohortId, districtId, partnerId }, k.where as Prisma.PartnershipWhereInput],
        },
        orderBy: k.orderBy,
        take: k.take,
      });
      return { body: page(rows, query, k.field, partnershipSummary) };
    },
  }),

  route('GET /partnerships/:id', {
    operationId: 'getPartnership',
    summary: 'Get a partnership',
    description:
      "The record, `open` (what is still open) and `next` (the next review, its next reminder, the reminders sent for it), all from the database, where the workflow records what it does. An API process answers from its read of the same partnership in the last second: a change made through it shows at once, one made by the workflow or another replica within that second. The workflow's own view is `GET /partnerships/:id/live`.",
    access: 'member',
    errors: [404],
    responses: { 200: { description: 'The partnership' } },
    async handle({ params, caller, deps }) {
      // Read for everyone who asks (or within the last second; recent-reads.ts), then judged for this caller.
      const {
        partnership: p,
        progress: { open, sent },
      } = await readPartnership(deps.db, params.id);
      if (!p || !seesPartnership(caller, p)) throw new NotFoundError(`Partnership ${params.id} does not exist`);
      const next = nextSteps(p, sent);
      return {
        body: {
          ...partnershipSummary(p),
          reminderOffsets: p.reminderOffsets,
          recurrence: p.recurrenceRule && { rrule: p.recurrenceRule, start: p.recurrenceStart },
          blackouts: p.blackouts,
          outcomeGrace: p.outcomeGrace,
          policy: resolvePolicy(p),
          ...recordJson(p),
          endedAt: p.endedAt?.toISOString() ?? null,
          endedReason: p.endedReason,
          district: { id: p.district.id, name: p.district.name },
          partner: { id: p.partner.id, name: p.partner.name },
          members: p.members.map(memberJson),
          reviews: p.reviews.map((r) => ({
            id: r.id,
            sequence: r.sequence,
            scheduledAt: r.scheduledAt.toISOString(),
            originalAt: r.originalAt?.toISOString() ?? null,
            status: r.status,
            notes: r.notes,
            decisions: r.decisions,
            skipReason: r.skipReason,
          })),
          open,
          next,
        },
      };
    },
  }),

  route('PATCH /partnerships/:id', {
    operationId: 'updatePartnership',
    summary: 'Change the record of a partnership: its name, cohort, goals, shared framework, engagement pathway',
    description: 'Only an admin moves a partnership into, out of or between cohorts; the schedule is changed with /recurrence.',
    access: 'manager',
    body: updatePartnershipBody,
    errors: [404],
    responses: { 200: { description: 'The partnership', schema: partnershipSummarySchema } },
    async handle({ params, body, caller, deps }) {
      const id = await visiblePartnershipId(deps.db, caller, params.id);
      if (body.cohortId !== undefined) {
        if (caller.role !== 'admin') throw new ForbiddenError('Only an admin moves a partnership between cohorts');
        if (body.cohortId && !(await deps.db.cohort.findUnique({ where: { id: body.cohortId }, select: { id: true } }))) {
          throw new ValidationError(`Cohort ${body.cohortId} does not exist`, [{ path: 'cohortId', message: 'no such cohort' }]);
        }
      }
      const p = await deps.db.$transaction(async (tx) => {
        const updated = await tx.partnership.update({ where: { id }, data: body });
        await tx.partnershipEvent.create({
          data: {
            partnershipId: id,
            idempotencyKey: `partnership:${id}:updated:${randomUUID()}`,
            type: 'partnership.updated',
            ...actorColumns(actorOf(caller)),
            data: body,
          },
        });
        return updated;
      });
      return { body: partnershipSummary(p) };
    },
  }),

  route('GET /partnerships/:id/live', {
    operationId: 'getPartnershipLiveState',
    summary: 'Get the live state of a partnership',
    description: "Asks the partnership's workflow (a Temporal query): phase, current review, next reminder.",
    access: 'member',
    errors: [404, 503],
    responses: { 200: { description: 'What the workflow reports now' } },
    async handle({ params, caller, deps }) {
      const id = await visiblePartnershipId(deps.db, caller, params.id);
      try {
        return { body: liveStatusJson(await deps.temporal.workflow.getHandle(partnershipWorkflowId(id)).query(statusQuery)) };
      } catch (e) {
        deps.logger.warn({ err: e, partnershipId: id }, 'workflow query failed');
        throw new DependencyUnavailableError('The workflow of this partnership cannot be asked right now; try again');
      }
    },
  }),

  route('GET /partnerships/:id/timeline', {
    operationId: 'getPartnershipTimeline',
    summary: "Read a partnership's timeline",
    description: 'The append-only event log: reviews planned, reminders sent, outcomes, commitments, escalations.',
    access: 'member',
    query: timelineQuery,
    errors: [404],
    responses: {
      200: {
        description: 'One page of events',
        schema: pageSchema(
          z
            .object({
              id: z.string(),
              type: z.string(),
              actor: z.string().meta({ description: 'Who acted: person, api_key, or system (a workflow on its own clock).' }),
              by: z
                .object({
                  id: z.uuid().nullable(),
                  name: z.string().nullable(),
                  onBehalfOf: z.object({ id: z.uuid().nullable(), name: z.string().nullable() }).nullable(),
                  via: z.enum(['email']).nullable().meta({ description: 'email: by replying to a copy of a message.' }),
                })
                .nullable(),
              occurredAt: z.string(),
              data: z.unknown(),
            })
            .meta({ id: 'Event' }),
        ),
      },
    },
    async handle({ params, query, caller, deps }) {
      const id = await visiblePartnershipId(deps.db, caller, params.id);
      const k = keyset(query, bigintId);
      const rows = await deps.db.partnershipEvent.findMany({
        where: { AND: [{ partnershipId: id, type: query.type }, k.where as Prisma.PartnershipEventWhereInput] },
        orderBy: k.orderBy,
        take: k.take,
      });
      return {
        body: page(rows, query, k.field, (e) => ({
          id: String(e.id),
          type: e.type,
          actor: e.actor,
          by:
            e.actor === 'system'
              ? null
              : {
                  id: e.actorId,
                  name: e.actorName,
                  onBehalfOf: e.onBehalfOfName ? { id: e.onBehalfOfId, name: e.onBehalfOfName } : null,
                  via: e.via === 'email' ? 'email' : null,
                },
          occurredAt: e.occurredAt.toISOString(),
          data: e.data,
        })),
      };
    },
  }),

  route('POST /schedule-preview', {
    operationId: 'previewSchedule',
    summary: 'Preview a review schedule',
    description:
      'The next reviews a recurrence and blackouts would give, before anything is saved: each in UTC and in local time, with what a blackout moved.',
    access: 'member',
    body: schedulePreviewBody,
    responses: { 200: { description: 'The reviews, earliest first' } },
    async handle({ body }) {
      const schedule = {
        rrule: body.recurrence.rrule.replace(/^RRULE:/i, ''),
        start: body.recurrence.start,
        timeZone: body.timeZone,
        blackouts: body.blackouts,
      };
      const after = body.after ? Date.parse(body.after) : Date.now();
      const local = (ms: number) => DateTime.fromMillis(ms, { zone: body.timeZone }).toISO({ suppressMilliseconds: true });
      const reviews = planOrThrow(() => upcomingReviews(schedule, after, body.count));
      return {
        body: {
          timeZone: body.timeZone,
          reviews: reviews.map((r) => ({
            at: new Date(r.at).toISOString(),
            local: local(r.at),
            weekday: DateTime.fromMillis(r.at, { zone: body.timeZone }).toFormat('cccc'),
            movedFrom: r.movedFrom === undefined ? null : { at: new Date(r.movedFrom).toISOString(), local: local(r.movedFrom) },
            movedBy: r.movedBy ?? null,
          })),
        },
      };
    },
  }),
]);

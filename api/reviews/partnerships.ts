import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { actorColumns } from '../../core/events.js';
import { ianaTimeZone, instant, line, uuidParam } from '../../core/fields.js';
import type { Principal } from '../../core/people/principal.js';
import { actorOf } from '../../core/people/principal.js';
import { assertMayCreatePartnership, organizationScope, partnershipScope, visiblePartnershipId } from '../../core/people/rights.js';
import { enrolMembers, memberJson } from '../../core/people/roster.js';
import { resolvePolicy } from '../../core/policy.js';
import { upcomingReviews } from '../../core/reviews/recurrence.js';
import { firstReviewOf, planOrThrow } from '../../core/reviews/schedule.js';
import {
  blackoutSchema,
  type CreatePartnershipBody,
  createPartnershipBody,
  partnershipRecord,
  recurrenceSchema,
} from '../../core/reviews/schemas.js';
import { calendarBlackouts } from '../../core/reviews/school-calendar.js';
import type { OrganizationKind, Prisma } from '../../generated/prisma/client.js';
import type { Db } from '../../lib/db/client.js';
import { DependencyUnavailableError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { partnershipWorkflowId } from '../../workflows/ids.js';
import { type PartnershipStatus, partnershipWorkflow, statusQuery } from '../../workflows/reviews/partnership.js';
import { bigintId, keyset, page, pageQuery, pageSchema } from '../http/pagination.js';
import { type RouteDeps, route } from '../http/route.js';
import { nextSteps } from './next-steps.js';
import { countOpenItems } from './open-items.js';

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

type OrgRef = { id: string } | { name: string };

/**
 * An organization named in a request: an existing one by id, or one by name, created if new. A key
 * below admin may only name organizations it already works with (or new ones): an id it cannot see
 * is refused exactly like an unknown one.
 */
async function resolveOrganization(
  tx: Prisma.TransactionClient,
  caller: Principal,
  kind: OrganizationKind,
  ref: OrgRef,
  timeZone: string,
  path: string,
) {
  const visible = organizationScope(caller);
  if ('id' in ref) {
    const org = await tx.organization.findFirst({ where: { AND: [{ id: ref.id, kind }, visible] } });
    if (!org) {
      throw new ValidationError(`The ${path} is not a ${kind} organization you can use`, [
        { path: `${path}.id`, message: `is not a ${kind} organization you can use` },
      ]);
    }
    return org;
  }
  // Most requests name an organization that exists (a cohort's partnerships share their partner):
  // it is read, not inserted, so that they do not queue behind each other on its unique key.
  let existing = await tx.organization.findUnique({ where: { kind_name: { kind, name: ref.name } } });
  if (!existing) {
    // ON CONFLICT DO NOTHING: two requests naming the same new organization at once both get the one
    // row (the second waits for the first's transaction, then finds what it wrote).
    const created = await tx.organization.createManyAndReturn({ data: [{ kind, name: ref.name, timeZone }], skipDuplicates: true });
    if (created[0]) return created[0];
    existing = await tx.organization.findUniqueOrThrow({ where: { kind_name: { kind, name: ref.name } } });
  }
  const seesAll = Object.keys(visible).length === 0;
  if (!seesAll && !(await tx.organization.findFirst({ where: { AND: [{ id: existing.id }, visible] }, select: { id: true } }))) {
    throw new ForbiddenError(
      `That ${kind} name cannot be used here; use the organization's id, another name, or ask an admin to set up this partnership`,
    );
  }
  return existing;
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
    message: 'give at least one of name, cohortId, goals, sharedFramework, engagementPathway',
  });

/** The partnership record: what it sets out to do, and when it starts and ends by itself. */
const recordJson = (p: {
  goals: string | null;
  sharedFramework: string | null;
  engagementPathway: string | null;
  plannedStart: Date | null;
  plannedEnd: Date | null;
}) => ({
  goals: p.goals,
  sharedFramework: p.sharedFramework,
  engagementPathway: p.engagementPathway,
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

/** What a new partnership's request gives once checked: when it starts, ends, and first meets. */
export interface CheckedPartnership {
  plan: { planning: boolean; plannedStart: number | null; plannedEnd: number | null };
  firstReviewAt: Date | undefined;
  nextReviewAt: number;
  cohortId: string | null;
}

/** The checks of a new partnership that need no writing: future dates, a recurrence with a next review, the cohort. */
export async function checkNewPartnership(
  db: Db,
  caller: Principal,
  body: CreatePartnershipBody,
  now: number,
): Promise<CheckedPartnership> {
  const firstReviewAt = body.firstReviewAt ? new Date(body.firstReviewAt) : undefined;
  if (firstReviewAt && firstReviewAt.getTime() <= now) {
    throw new ValidationError('firstReviewAt must be in the future', [{ path: 'firstReviewAt', message: 'must be in the future' }]);
  }
  for (const field of ['plannedStart', 'plannedEnd'] as const) {
    const at = body[field];
    if (at && Date.parse(at) <= now)
      throw new ValidationError(`${field} must be in the future`, [{ path: field, message: 'must be in the future' }]);
  }
  const plan = {
    planning: body.planning || body.plannedStart !== undefined,
    plannedStart: body.plannedStart ? Date.parse(body.plannedStart) : null,
    plannedEnd: body.plannedEnd ? Date.parse(body.plannedEnd) : null,
  };
  const cohortId = body.cohortId ?? (caller.kind === 'key' && caller.role === 'coordinator' ? caller.cohortId : null);
  if (cohortId && !(await db.cohort.findUnique({ where: { id: cohortId }, select: { id: true } }))) {
    throw new ValidationError(`Cohort ${cohortId} does not exist`, [{ path: 'cohortId', message: 'no such cohort' }]);
  }
  let nextReviewAt = firstReviewAt?.getTime();
  if (body.recurrence) {
    // The district's and the cohort's school calendars count as its blackouts too.
    const districtId =
      'id' in body.district
        ? body.district.id
        : (await db.organization.findUnique({ where: { kind_name: { kind: 'district', name: body.district.name } }, select: { id: true } }))
            ?.id;
    const blackouts = [...body.blackouts, ...(await calendarBlackouts(db, { districtId, cohortId }))];
    const schedule = { rrule: body.recurrence.rrule, start: body.recurrence.start, timeZone: body.timeZone, blackouts };
    nextReviewAt ??= firstReviewOf(schedule, now);
  }
  return { plan, firstReviewAt, nextReviewAt: nextReviewAt as number, cohortId };
}

/**
 * Writes a checked partnership, its organizations and members, and starts its workflow, inside the
 * caller's transaction: if Temporal refuses, the transaction rolls back and nothing is written.
 */
export async function writePartnership(
  tx: Prisma.TransactionClient,
  deps: Pick<RouteDeps, 'temporal' | 'taskQueue' | 'logger'>,
  caller: Principal,
  body: CreatePartnershipBody,
  checked: CheckedPartnership,
) {
  const { plan, firstReviewAt, nextReviewAt, cohortId } = checked;
  const district = await resolveOrganization(tx, caller, 'district', body.district, body.timeZone, 'district');
  const partner = await resolveOrganization(tx, caller, 'partner', body.partner, body.timeZone, 'partner');
  assertMayCreatePartnership(caller, { districtId: district.id, cohortId });
  const partnership = await tx.partnership.create({
    data: {
      name: body.name,
      districtId: district.id,
      partnerId: partner.id,
      cohortId,
      // Active from the start unless it was asked to wait (its workflow records the activation).
      status: plan.planning ? 'planning' : 'active',
      timeZone: body.timeZone,
      reminderOffsets: body.reminderOffsets,
      recurrenceRule: body.recurrence?.rrule.replace(/^RRULE:/i, '') ?? null,
      recurrenceStart: body.recurrence?.start ?? null,
      blackouts: body.blackouts,
      outcomeGrace: body.outcomeGrace,
      policy: body.policy,
      goals: body.goals ?? null,
      sharedFramework: body.sharedFramework ?? null,
      engagementPathway: body.engagementPathway ?? null,
      plannedStart: plan.plannedStart === null ? null : new Date(plan.plannedStart),
      plannedEnd: plan.plannedEnd === null ? null : new Date(plan.plannedEnd),
    },
  });
  await enrolMembers(tx, partnership, body.members);
  // Without an explicit first review the workflow plans it from the recurrence.
  const review = firstReviewAt
    ? await tx.review.create({ data: { partnershipId: partnership.id, sequence: 1, scheduledAt: firstReviewAt } })
    : null;
  await tx.partnershipEvent.create({
    data: {
      partnershipId: partnership.id,
      idempotencyKey: `partnership:${partnership.id}:created`,
      type: 'partnership.created',
      ...actorColumns(actorOf(caller)),
      data: { nextReviewAt: new Date(nextReviewAt).toISOString() },
    },
  });
  try {
    await deps.temporal.workflow.start(partnershipWorkflow, {
      workflowId: partnershipWorkflowId(partnership.id),
      taskQueue: deps.taskQueue,
      args: [{ partnershipId: partnership.id, ...((plan.planning || plan.plannedEnd !== null) && { plan }) }],
    });
  } catch (e) {
    deps.logger.error({ err: e }, 'could not start the partnership workflow');
    throw new DependencyUnavailableError('The workflow engine is unavailable; nothing was saved, try again');
  }
  return { partnership, review };
}

export const partnershipRoutes = [
  route({
    method: 'post',
    path: '/partnerships',
    operationId: 'createPartnership',
    summary: 'Create a partnership',
    description:
      'Writes the partnership, its organizations and members, then starts its lifecycle workflow. If the workflow cannot start, nothing is written (503).',
    tag: 'Partnerships',
    access: 'manager',
    body: createPartnershipBody,
    errors: [503],
    responses: { 201: { description: 'Created; the workflow is running' } },
    async handle({ body, caller, deps }) {
      const checked = await checkNewPartnership(deps.db, caller, body, Date.now());
      const { partnership, review } = await deps.db.$transaction((tx) => writePartnership(tx, deps, caller, body, checked));
      const nextReviewAt = checked.nextReviewAt;
      return {
        status: 201,
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

  route({
    method: 'get',
    path: '/partnerships',
    operationId: 'listPartnerships',
    summary: 'List partnerships',
    tag: 'Partnerships',
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

  route({
    method: 'get',
    path: '/partnerships/:id',
    operationId: 'getPartnership',
    summary: 'Get a partnership',
    description:
      "The record, `open` (what is still open) and `next` (the next review, its next reminder, the reminders sent for it), all from the database, where the workflow records what it does. The workflow's own view is `GET /partnerships/:id/live`.",
    tag: 'Partnerships',
    access: 'member',
    params: uuidParam,
    errors: [404],
    responses: { 200: { description: 'The partnership' } },
    async handle({ params, caller, deps }) {
      const p = await deps.db.partnership.findFirst({
        where: { id: params.id, ...partnershipScope(caller) },
        include: { district: true, partner: true, members: { include: { person: true } }, reviews: { orderBy: { sequence: 'asc' } } },
      });
      if (!p) throw new NotFoundError(`Partnership ${params.id} does not exist`);
      const [open, next] = await Promise.all([countOpenItems(deps.db, p.id), nextSteps(deps.db, p)]);
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

  route({
    method: 'patch',
    path: '/partnerships/:id',
    operationId: 'updatePartnership',
    summary: 'Change the record of a partnership: its name, cohort, goals, shared framework, engagement pathway',
    description: 'Only an admin moves a partnership into, out of or between cohorts; the schedule is changed with /recurrence.',
    tag: 'Partnerships',
    access: 'manager',
    params: uuidParam,
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

  route({
    method: 'get',
    path: '/partnerships/:id/live',
    operationId: 'getPartnershipLiveState',
    summary: 'Get the live state of a partnership',
    description: "Asks the partnership's workflow (a Temporal query): phase, current review, next reminder.",
    tag: 'Partnerships',
    access: 'member',
    params: uuidParam,
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

  route({
    method: 'get',
    path: '/partnerships/:id/timeline',
    operationId: 'getPartnershipTimeline',
    summary: "Read a partnership's timeline",
    description: 'The append-only event log: reviews planned, reminders sent, outcomes, commitments, escalations.',
    tag: 'Partnerships',
    access: 'member',
    params: uuidParam,
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
                },
          occurredAt: e.occurredAt.toISOString(),
          data: e.data,
        })),
      };
    },
  }),

  route({
    method: 'post',
    path: '/schedule-preview',
    operationId: 'previewSchedule',
    summary: 'Preview a review schedule',
    description:
      'The next reviews a recurrence and blackouts would give, before anything is saved: each in UTC and in local time, with what a blackout moved.',
    tag: 'Partnerships',
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
];

import type { OrganizationKind, Prisma } from '../../generated/prisma/client.js';
import type { Db } from '../../lib/db/client.js';
import { DependencyUnavailableError, ForbiddenError, ValidationError } from '../../lib/errors.js';
import { partnershipWorkflowId } from '../../workflows/ids.js';
import { partnershipWorkflow } from '../../workflows/partnerships/partnership.js';
import type { CoreDeps } from '../deps.js';
import { actorColumns } from '../events.js';
import type { Principal } from '../people/principal.js';
import { actorOf } from '../people/principal.js';
import { assertMayCreatePartnership, organizationScope } from '../people/rights.js';
import { enrolMembers } from '../people/roster.js';
import { firstReviewOf } from '../reviews/schedule.js';
import { calendarBlackouts } from '../reviews/school-calendar.js';
import type { CreatePartnershipBody } from './schemas.js';

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
  deps: Pick<CoreDeps, 'temporal' | 'taskQueue' | 'logger'>,
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
      evidenceRubric: body.evidenceRubric ?? [],
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

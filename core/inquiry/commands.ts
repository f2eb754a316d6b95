import type { z } from 'zod';
import type { InquiryCycle, InquiryPhase as PhaseRow } from '../../generated/prisma/client.js';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { startOrRollBack } from '../../lib/temporal/start.js';
import { sendUpdate } from '../../lib/temporal/updates.js';
import { parseOrThrow } from '../../lib/validation.js';
import { inquiryWorkflowId } from '../../workflows/ids.js';
import { inquiryCycleWorkflow } from '../../workflows/inquiry/cycle.js';
import { INQUIRY_PHASES, type InquiryPhase, type PhaseRecord, recordPhaseUpdate } from '../../workflows/inquiry/messages.js';
import { assertFuture } from '../deadlines/due.js';
import type { CoreDeps } from '../deps.js';
import { loadPartnership, type Partnership } from '../people/members.js';
import { actorOf, type Principal } from '../people/principal.js';
import { actorForDeadline, assertCoordinates, assertLeads, partnershipScope, visibleCohortId } from '../people/rights.js';
import { createCycle, PHASE_TEXT } from './cycles.js';
import { PHASE_RECORDS, startCohortCyclesBody, startCycleBody } from './schemas.js';

/**
 * What people do with inquiry cycles, for the API and the pages alike. A partnership's leads start
 * a cycle (a cohort's coordinators, one in each of its active partnerships); a phase is recorded by
 * its owner, or by a lead on the owner's behalf, the same rights as completing a commitment
 * (api/people/rights.ts); the cycle's workflow validates the order (a refused record is a 409).
 */

type Deps = Pick<CoreDeps, 'db' | 'temporal' | 'logger' | 'taskQueue'>;

type Plan = z.output<typeof startCycleBody>;

/** Each phase's owner among the partnership's members and its due time, or every problem at once. */
function resolvePhases(partnership: Partnership, plan: Plan) {
  const issues: { path: string; message: string }[] = [];
  const resolved = INQUIRY_PHASES.map((phase) => {
    const spec = plan.phases[phase];
    const member = spec.ownerEmail
      ? partnership.members.find((m) => m.person.email === spec.ownerEmail)
      : partnership.members.find((m) => m.role === spec.ownerRole);
    if (!member) {
      const path = `phases.${phase}.${spec.ownerEmail ? 'ownerEmail' : 'ownerRole'}`;
      issues.push({
        path,
        message: spec.ownerEmail ? 'is not a member of this partnership' : `no member of ${partnership.name} has this role`,
      });
    }
    return { phase, ownerId: member?.personId ?? '', dueAt: new Date(spec.dueAt) };
  });
  resolved.forEach((p, i) => {
    const before = resolved[i - 1];
    if (before && p.dueAt <= before.dueAt)
      issues.push({ path: `phases.${p.phase}.dueAt`, message: `must come after the ${before.phase} phase's` });
  });
  if (issues.length)
    throw new ValidationError(`The cycle's phases are invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  return resolved;
}

const notActive = (p: { status: string; name: string }) =>
  new ConflictError(`${p.name} is ${p.status.replace('_', ' ')}: inquiry cycles start while a partnership is active`);

async function start(deps: Deps, p: Principal, partnership: Partnership, plan: Plan, cohortId: string | null) {
  const phases = resolvePhases(partnership, plan);
  return deps.db.$transaction(async (tx) => {
    const cycle = await createCycle(tx, {
      partnershipId: partnership.id,
      cohortId,
      question: plan.question,
      startedAt: new Date(),
      phases,
      actor: actorOf(p),
    });
    // Started inside the transaction: if Temporal refuses, the cycle is not written.
    await startOrRollBack(deps.logger, 'inquiry cycle', () =>
      deps.temporal.workflow.start(inquiryCycleWorkflow, {
        workflowId: inquiryWorkflowId(cycle.id),
        taskQueue: deps.taskQueue,
        args: [{ cycleId: cycle.id }],
      }),
    );
    return cycle;
  });
}

const dueTimes = (plan: Plan) => INQUIRY_PHASES.map((ph) => ({ path: `phases.${ph}.dueAt`, at: plan.phases[ph].dueAt }));

export async function startCycle(
  deps: Deps,
  p: Principal,
  partnershipId: string,
  input: z.input<typeof startCycleBody>,
): Promise<InquiryCycle> {
  const plan = parseOrThrow(startCycleBody, input, 'cycle');
  const partnership = await loadPartnership(deps.db, p, partnershipId);
  await assertLeads(deps.db, p, partnership, 'start an inquiry cycle');
  if (partnership.status !== 'active') throw notActive(partnership);
  assertFuture(dueTimes(plan), Date.now());
  return start(deps, p, partnership, plan, null);
}

/** One cycle in each active partnership of the cohort; a partnership without a member in a phase's role is named and left out. */
export async function startCohortCycles(deps: Deps, p: Principal, cohortId: string, input: z.input<typeof startCohortCyclesBody>) {
  const plan = parseOrThrow(startCohortCyclesBody, input, 'cycle');
  const cohort = await deps.db.cohort.findUniqueOrThrow({
    where: { id: await visibleCohortId(deps.db, p, cohortId) },
    select: { id: true, name: true },
  });
  assertCoordinates(p, cohort.id);
  assertFuture(dueTimes(plan), Date.now());
  const ids = await deps.db.partnership.findMany({
    where: { AND: [{ cohortId, status: 'active' }, partnershipScope(p)] },
    select: { id: true },
    orderBy: { name: 'asc' },
  });
  if (ids.length === 0) throw new ConflictError(`${cohort.name} has no active partnership to start an inquiry cycle in`);
  const started: { partnershipId: string; cycle: InquiryCycle }[] = [];
  const skipped: { partnershipId: string; reason: string }[] = [];
  for (const { id } of ids) {
    const partnership = await loadPartnership(deps.db, p, id);
    try {
      started.push({ partnershipId: id, cycle: await start(deps, p, partnership, plan, cohort.id) });
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      skipped.push({ partnershipId: id, reason: e.issues.map((i) => `${i.path}: ${i.message}`).join('; ') });
    }
  }
  return { started, skipped };
}

/** The cycle with its phases, if the principal may see its partnership; 404 otherwise. */
export async function cycleFor(deps: Pick<Deps, 'db'>, p: Principal, partnershipId: string, cycleId: string) {
  const cycle = await deps.db.inquiryCycle.findFirst({
    where: { id: cycleId, partnershipId, partnership: partnershipScope(p) },
    include: {
      partnership: { select: { id: true, name: true, districtId: true, partnerId: true, cohortId: true, timeZone: true, status: true } },
      phases: { include: { owner: { select: { id: true, name: true } }, commitment: { select: { status: true, dueAt: true } } } },
      next: { select: { id: true, number: true } },
      previous: { select: { id: true, number: true } },
    },
  });
  if (!cycle) throw new NotFoundError(`Inquiry cycle ${cycleId} does not exist`);
  cycle.phases.sort((a, b) => INQUIRY_PHASES.indexOf(a.phase) - INQUIRY_PHASES.indexOf(b.phase));
  return cycle;
}

export type CycleWithPhases = Awaited<ReturnType<typeof cycleFor>>;

/**
 * Where a phase stands: recorded; under way (its commitment's status: open or overdue); upcoming;
 * or closed with its cycle before it was reached.
 */
export function phaseStatus(cycle: { status: string }, ph: Pick<PhaseRow, 'recordedAt'> & { commitment: { status: string } | null }) {
  if (ph.recordedAt) return 'recorded';
  if (ph.commitment && (ph.commitment.status === 'open' || ph.commitment.status === 'overdue')) return ph.commitment.status;
  return cycle.status === 'open' ? 'upcoming' : 'not reached';
}

/** A phase's due time: its commitment's once under way (an extension moves it), the planned one before. */
export const phaseDueAt = (ph: { dueAt: Date; commitment: { dueAt: Date } | null }) => ph.commitment?.dueAt ?? ph.dueAt;

export async function recordPhase(
  deps: Deps,
  p: Principal,
  partnershipId: string,
  cycleId: string,
  phase: InquiryPhase,
  body: unknown,
): Promise<CycleWithPhases> {
  const cycle = await cycleFor(deps, p, partnershipId, cycleId);
  const { onBehalfOf, ...fields } = parseOrThrow(PHASE_RECORDS[phase], body, `${PHASE_TEXT[phase].label.toLowerCase()} record`);
  const row = cycle.phases.find((x) => x.phase === phase) as (typeof cycle.phases)[number];
  const { actor } = await actorForDeadline(deps.db, p, { ownerId: row.ownerId, partnership: cycle.partnership }, 'complete', onBehalfOf);
  const record = { phase, ...fields } as PhaseRecord;
  await sendUpdate(deps.temporal, inquiryWorkflowId(cycleId), `Inquiry cycle ${cycle.number} is ${cycle.status}`, (h) =>
    h.executeUpdate(recordPhaseUpdate, { args: [{ ...record, actor }] }),
  );
  return cycleFor(deps, p, partnershipId, cycleId);
}

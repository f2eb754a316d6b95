import { z } from 'zod';
import {
  type CycleWithPhases,
  cycleFor,
  phaseDueAt,
  phaseStatus,
  recordPhase,
  startCohortCycles,
  startCycle,
} from '../../core/inquiry/commands.js';
import { PHASE_TEXT } from '../../core/inquiry/cycles.js';
import { phaseParams, recordPhaseBody, startCohortCyclesBody, startCycleBody } from '../../core/inquiry/schemas.js';
import { visiblePartnershipId } from '../../core/people/rights.js';
import { INQUIRY_PHASES } from '../../workflows/inquiry/messages.js';
import { route, tagged } from '../http/route.js';

const phaseJson = (cycle: CycleWithPhases, ph: CycleWithPhases['phases'][number]) => ({
  phase: ph.phase,
  label: PHASE_TEXT[ph.phase].label,
  owner: { id: ph.owner.id, name: ph.owner.name },
  dueAt: phaseDueAt(ph).toISOString(),
  status: phaseStatus(cycle, ph),
  record: ph.record,
  recordedAt: ph.recordedAt?.toISOString() ?? null,
  recordedBy: ph.recordedBy,
  /** While under way and after, the commitment that carries its deadline (extend it there). */
  commitmentId: ph.commitment ? ph.id : null,
});

export const cycleJson = (c: CycleWithPhases) => ({
  id: c.id,
  partnershipId: c.partnershipId,
  cohortId: c.cohortId,
  number: c.number,
  question: c.question,
  status: c.status,
  currentPhase: c.currentPhase,
  decision: c.decision,
  previousCycleId: c.previous?.id ?? null,
  nextCycleId: c.next?.id ?? null,
  startedAt: c.startedAt.toISOString(),
  closedAt: c.closedAt?.toISOString() ?? null,
  phases: c.phases.map((ph) => phaseJson(c, ph)),
});

const cycleSchema = z
  .object({
    id: z.uuid(),
    partnershipId: z.uuid(),
    cohortId: z.uuid().nullable(),
    number: z.number().int(),
    question: z.string(),
    status: z.enum(['open', 'closed', 'ended']),
    currentPhase: z.enum(INQUIRY_PHASES).nullable(),
    decision: z.enum(['adopt', 'adapt', 'abandon']).nullable(),
    previousCycleId: z.uuid().nullable(),
    nextCycleId: z.uuid().nullable(),
    startedAt: z.string(),
    closedAt: z.string().nullable(),
    phases: z.array(
      z.object({
        phase: z.enum(INQUIRY_PHASES),
        label: z.string(),
        owner: z.object({ id: z.uuid(), name: z.string() }),
        dueAt: z.string(),
        status: z.enum(['recorded', 'open', 'overdue', 'upcoming', 'not reached']),
        record: z.unknown(),
        recordedAt: z.string().nullable(),
        recordedBy: z.string().nullable(),
        commitmentId: z.uuid().nullable(),
      }),
    ),
  })
  .meta({ id: 'InquiryCycle' });

const withPhases = async (
  deps: Parameters<typeof cycleFor>[0],
  caller: Parameters<typeof cycleFor>[1],
  partnershipId: string,
  id: string,
) => cycleJson(await cycleFor(deps, caller, partnershipId, id));

/**
 * Inquiry cycles (plan, do, study, act, reflect): started by a partnership's leads or, for every
 * active partnership of a cohort, by its coordinators; each phase recorded by its owner or a lead.
 */
export const inquiryRoutes = tagged('Inquiry', [
  route('POST /partnerships/:id/inquiry-cycles', {
    operationId: 'startInquiryCycle',
    summary: 'Start an inquiry cycle',
    description:
      "Its plan phase is under way at once: a commitment of the phase's owner, reminded, overdue and escalated as any commitment. Each phase recorded opens the next.",
    access: 'member',
    body: startCycleBody,
    errors: [404, 409, 503],
    responses: { 201: { description: 'Started; its workflow is running', schema: cycleSchema } },
    async handle({ params, body, caller, deps }) {
      const cycle = await startCycle(deps, caller, params.id, body);
      return {
        location: `/partnerships/${params.id}/inquiry-cycles/${cycle.id}`,
        body: await withPhases(deps, caller, params.id, cycle.id),
      };
    },
  }),
  route('GET /partnerships/:id/inquiry-cycles', {
    operationId: 'listInquiryCycles',
    summary: "List a partnership's inquiry cycles",
    access: 'member',
    errors: [404],
    responses: { 200: { description: 'Every cycle, first to last', schema: z.object({ items: z.array(cycleSchema) }) } },
    async handle({ params, caller, deps }) {
      const id = await visiblePartnershipId(deps.db, caller, params.id);
      const rows = await deps.db.inquiryCycle.findMany({ where: { partnershipId: id }, orderBy: { number: 'asc' }, select: { id: true } });
      return { body: { items: await Promise.all(rows.map((r) => withPhases(deps, caller, id, r.id))) } };
    },
  }),
  route('GET /partnerships/:id/inquiry-cycles/:cycleId', {
    operationId: 'getInquiryCycle',
    summary: 'Get an inquiry cycle',
    access: 'member',
    errors: [404],
    responses: { 200: { description: 'The cycle, phase by phase', schema: cycleSchema } },
    handle: async ({ params, caller, deps }) => ({ body: await withPhases(deps, caller, params.id, params.cycleId) }),
  }),
  route('POST /partnerships/:id/inquiry-cycles/:cycleId/phases/:phase', {
    operationId: 'recordInquiryPhase',
    summary: 'Record the phase under way',
    description:
      'By its owner, or a lead on their behalf. Only the phase under way can be recorded (409 otherwise); the act phase decides, and the reflection closes the cycle ("adapt" starts the next).',
    access: 'member',
    params: phaseParams,
    body: recordPhaseBody,
    errors: [404, 409, 503],
    responses: { 200: { description: 'The cycle after the record', schema: cycleSchema } },
    handle: async ({ params, body, caller, deps }) => ({
      body: cycleJson(await recordPhase(deps, caller, params.id, params.cycleId, params.phase, body)),
    }),
  }),
  route('POST /cohorts/:id/inquiry-cycles', {
    operationId: 'startCohortInquiryCycles',
    summary: 'Start an inquiry cycle in every active partnership of a cohort',
    description:
      "Owners are named by role: each partnership's first member with that role owns the phase. A partnership without such a member is left out and named in `skipped`, with why.",
    access: 'manager',
    body: startCohortCyclesBody,
    errors: [404, 409, 503],
    responses: {
      201: {
        description: 'The cycles started, and the partnerships left out',
        schema: z.object({
          started: z.array(z.object({ partnershipId: z.uuid(), cycleId: z.uuid() })),
          skipped: z.array(z.object({ partnershipId: z.uuid(), reason: z.string() })),
        }),
      },
    },
    async handle({ params, body, caller, deps }) {
      const { started, skipped } = await startCohortCycles(deps, caller, params.id, body);
      return { body: { started: started.map((s) => ({ partnershipId: s.partnershipId, cycleId: s.cycle.id })), skipped } };
    },
  }),
]);

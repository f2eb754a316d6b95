import { DateTime } from 'luxon';
import { changeMeasure, createGoal, recordMeasureValues } from '../../core/measures/commands.js';
import { type GoalWithMeasures, goalsOf } from '../../core/measures/goals.js';
import { changeMeasureBody, createGoalBody, recordMeasuresBody } from '../../core/measures/schemas.js';
import { visiblePartnershipId } from '../../core/people/rights.js';
import type { Measure, MeasureValue } from '../../generated/prisma/client.js';
import { route, tagged } from '../http/route.js';

/** A measure as planned; its target's date is also given as the partnership reads it. */
const measureJson = (m: Measure, zone: string) => ({
  id: m.id,
  goalId: m.goalId,
  name: m.name,
  unit: m.unit,
  baseline: m.baseline,
  baselineAt: m.baselineAt.toISOString(),
  target: m.target,
  targetAt: m.targetAt.toISOString(),
  targetDate: DateTime.fromJSDate(m.targetAt, { zone }).toISODate(),
  direction: m.direction,
  source: m.source,
});

const valueJson = (v: MeasureValue) => ({
  measureId: v.measureId,
  reviewId: v.reviewId,
  value: v.value,
  note: v.note,
  evidenceRequestId: v.evidenceRequestId,
  recordedAt: v.recordedAt.toISOString(),
  by: { kind: v.actor, id: v.actorId, name: v.actorName, onBehalfOf: v.onBehalfOfName },
});

const goalJson = (g: GoalWithMeasures, zone: string) => ({
  id: g.id,
  title: g.title,
  createdAt: g.createdAt.toISOString(),
  measures: g.measures.map((m) => ({
    ...measureJson(m, zone),
    standing: m.standing,
    expected: m.expected,
    values: m.values.map((v) => ({ ...valueJson(v), reviewSequence: v.review.sequence, reviewAt: v.review.scheduledAt.toISOString() })),
  })),
});

/**
 * Goals and their measures of success: set by the leads (in planning or later), changed with a
 * reason, recorded at each held review; each measure judged against its trajectory.
 */
export const measureRoutes = tagged('Measures', [
  route('GET /partnerships/:id/goals', {
    operationId: 'listGoals',
    summary: "List a partnership's goals and measures",
    description:
      "Each goal with its measures: the plan (baseline, target and its date, direction, source), the values recorded at held reviews (oldest first), and the standing by the latest value against the trajectory (the straight line from baseline to target): `no_value`, `on_track`, `behind` or `met`, with the value `expected` at that review. A measure behind its trajectory makes the partnership's health `needs_attention`.",
    access: 'member',
    errors: [404],
    responses: { 200: { description: 'The goals' } },
    async handle({ params, caller, deps }) {
      const id = await visiblePartnershipId(deps.db, caller, params.id);
      const { timeZone } = await deps.db.partnership.findUniqueOrThrow({ where: { id }, select: { timeZone: true } });
      return { body: { items: (await goalsOf(deps.db, id)).map((g) => goalJson(g, timeZone)) } };
    },
  }),
  route('POST /partnerships/:id/goals', {
    operationId: 'createGoal',
    summary: 'Set a goal with its measures',
    description:
      "For the partnership's leads and those who manage it, in planning or later (not once it has ended). Each measure starts at its baseline now and aims at its target by `targetDate` (the end of that day in the partnership's zone): above the baseline for an increase, below it for a decrease.",
    access: 'member',
    body: createGoalBody,
    errors: [403, 404, 409],
    responses: { 201: { description: 'The goal and its measures' } },
    async handle({ params, body, caller, deps }) {
      const goal = await createGoal(deps, caller, params.id, body);
      const measures = goal.measures.map((m) => measureJson(m, goal.partnership.timeZone));
      return { location: `/partnerships/${params.id}/goals`, body: { id: goal.id, title: goal.title, measures } };
    },
  }),
  route('PATCH /measures/:id', {
    operationId: 'changeMeasure',
    summary: 'Change a measure, with the reason',
    description:
      "Its name, unit, target, target date or source; the reason is required and kept in the partnership's timeline (`measure.changed`, with what it was and what it became). Its baseline stays: the values are read against the plan as it now stands. Two changes sent at once: the second is a 409.",
    access: 'member',
    body: changeMeasureBody,
    errors: [403, 404, 409],
    responses: { 200: { description: 'The measure as it now stands' } },
    async handle({ params, body, caller, deps }) {
      const m = await changeMeasure(deps, caller, params.id, body);
      return { body: measureJson(m, m.partnership.timeZone) };
    },
  }),
  route('POST /partnerships/:id/reviews/:reviewId/measures', {
    operationId: 'recordMeasureValues',
    summary: "Record the measures' values at a held review",
    description:
      'For the leads: one value per measure (with an optional note); a value recorded again for the same review replaces the earlier one. The review must be held (a 409 otherwise).',
    access: 'member',
    body: recordMeasuresBody,
    errors: [403, 404, 409],
    responses: { 200: { description: 'The values as stored' } },
    async handle({ params, body, caller, deps }) {
      const stored = await recordMeasureValues(deps, caller, params.id, params.reviewId, body);
      return { body: { items: stored.map(valueJson) } };
    },
  }),
]);

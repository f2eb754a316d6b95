import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import type { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { parseOrThrow } from '../../lib/validation.js';
import type { CoreDeps } from '../deps.js';
import { actorColumns, recordEvent } from '../events.js';
import { openPartnership } from '../people/members.js';
import { actorOf, type Principal } from '../people/principal.js';
import { assertLeads, partnershipScope } from '../people/rights.js';
import { changeMeasureBody, createGoalBody, type measureValue, recordMeasuresBody } from './schemas.js';
import { aimsRightWay } from './trajectory.js';

/**
 * What the leads do with a partnership's goals and measures of success: set a goal with its measures
 * (in planning or later), change a measure with a reason, record the measures' values at a held
 * review. The one door for the API and the pages; who may is decided in core/people/rights.ts.
 */

type Deps = Pick<CoreDeps, 'db'>;

/** A target's date is reached at the end of that day where the partnership is. */
const endOfDay = (date: string, zone: string) => DateTime.fromISO(date, { zone }).endOf('day').toJSDate();

function checkPlan(
  m: { baseline: number; target: number; direction: 'increase' | 'decrease'; targetAt: Date },
  from: Date,
  path: string,
): { path: string; message: string }[] {
  const issues = [];
  if (!aimsRightWay(m)) {
    issues.push({
      path: `${path}target`,
      message: m.direction === 'increase' ? 'must be above the baseline for an increase' : 'must be below the baseline for a decrease',
    });
  }
  if (m.targetAt <= from) issues.push({ path: `${path}targetDate`, message: 'must be a date ahead' });
  return issues;
}

export async function createGoal(deps: Deps, p: Principal, partnershipId: string, raw: z.input<typeof createGoalBody>) {
  const body = parseOrThrow(createGoalBody, raw, 'goal');
  const partnership = await openPartnership(deps.db, p, partnershipId);
  await assertLeads(deps.db, p, partnership, 'set its goals and measures');
  const now = new Date();
  const measures = body.measures.map((m) => ({ ...m, targetAt: endOfDay(m.targetDate, partnership.timeZone) }));
  const issues = measures.flatMap((m, i) => checkPlan(m, now, `measures.${i}.`));
  if (issues.length) throw new ValidationError('A measure does not add up', issues);
  return deps.db.$transaction(async (tx) => {
    const goal = await tx.goal.create({
      data: {
        partnershipId: partnership.id,
        title: body.title,
        measures: {
          create: measures.map(({ targetDate: _, ...m }) => ({ ...m, partnershipId: partnership.id, baselineAt: now })),
        },
      },
      include: { measures: { orderBy: { createdAt: 'asc' } }, partnership: { select: { timeZone: true } } },
    });
    await recordEvent(
      tx,
      partnership.id,
      `goal:${goal.id}:set`,
      'goal.set',
      { goalId: goal.id, title: goal.title, measures: goal.measures.map((m) => m.name) },
      actorOf(p),
    );
    return goal;
  });
}

/**
 * A measure changed with its reason. The row is changed only as it was read (two changes sent at
 * once: the second is a 409), and the event keeps what it was and what it became.
 */
export async function changeMeasure(deps: Deps, p: Principal, measureId: string, raw: z.input<typeof changeMeasureBody>) {
  const body = parseOrThrow(changeMeasureBody, raw, 'change');
  const m = await deps.db.measure.findFirst({ where: { id: measureId, partnership: partnershipScope(p) }, include: { partnership: true } });
  if (!m) throw new NotFoundError(`Measure ${measureId} does not exist`);
  await assertLeads(deps.db, p, m.partnership, 'change its measures');
  const { reason, targetDate, ...fields } = body;
  const next = { ...fields, ...(targetDate && { targetAt: endOfDay(targetDate, m.partnership.timeZone) }) };
  const after = { ...m, ...next };
  const issues = checkPlan(after, m.baselineAt, '');
  if (issues.length) throw new ValidationError('The measure would not add up', issues);
  const before = { name: m.name, unit: m.unit, target: m.target, targetAt: m.targetAt, source: m.source };
  return deps.db.$transaction(async (tx) => {
    const claimed = await tx.measure.updateMany({ where: { id: m.id, ...before }, data: next });
    if (claimed.count === 0) throw new ConflictError('The measure was changed meanwhile; reload it and try again');
    const iso = (d: Date) => d.toISOString();
    await recordEvent(
      tx,
      m.partnershipId,
      `measure:${m.id}:changed:${randomUUID()}`,
      'measure.changed',
      {
        measureId: m.id,
        reason,
        before: { ...before, targetAt: iso(before.targetAt) },
        after: { name: after.name, unit: after.unit, target: after.target, targetAt: iso(after.targetAt), source: after.source },
      },
      actorOf(p),
    );
    return tx.measure.findUniqueOrThrow({ where: { id: m.id }, include: { partnership: { select: { timeZone: true } } } });
  });
}

/** The measures' values at a held review; a value recorded again for the same review replaces the earlier one. */
/** Each value is for a measure of this partnership, once, and names only this partnership's evidence; every problem at once. */
export async function checkMeasureValues(db: Deps['db'], partnershipId: string, values: z.output<typeof measureValue>[], path = 'values') {
  const ids = values.map((v) => v.measureId);
  const known = new Set((await db.measure.findMany({ where: { id: { in: ids }, partnershipId }, select: { id: true } })).map((m) => m.id));
  const evidenceIds = values.flatMap((v) => (v.evidenceRequestId ? [v.evidenceRequestId] : []));
  const evidence = new Set(
    (await db.evidenceRequest.findMany({ where: { id: { in: evidenceIds }, partnershipId }, select: { id: true } })).map((e) => e.id),
  );
  const issues = values.flatMap((v, i) => [
    ...(known.has(v.measureId) ? [] : [{ path: `${path}.${i}.measureId`, message: 'is not a measure of this partnership' }]),
    ...(v.evidenceRequestId && !evidence.has(v.evidenceRequestId)
      ? [{ path: `${path}.${i}.evidenceRequestId`, message: 'is not an evidence request of this partnership' }]
      : []),
    ...(ids.indexOf(v.measureId) !== i ? [{ path: `${path}.${i}.measureId`, message: 'is given twice' }] : []),
  ]);
  if (issues.length) throw new ValidationError('Some values are not for this partnership', issues);
}

export async function recordMeasureValues(
  deps: Deps,
  p: Principal,
  partnershipId: string,
  reviewId: string,
  raw: z.input<typeof recordMeasuresBody>,
) {
  const body = parseOrThrow(recordMeasuresBody, raw, 'values');
  const review = await deps.db.review.findFirst({
    where: { id: reviewId, partnershipId, partnership: partnershipScope(p) },
    include: { partnership: true },
  });
  if (!review) throw new NotFoundError(`Review ${reviewId} does not exist`);
  await assertLeads(deps.db, p, review.partnership, 'record its measures');
  if (review.status !== 'held') throw new ConflictError(`Measures are recorded at a held review; this one is ${review.status}`);
  await checkMeasureValues(deps.db, partnershipId, body.values);
  const actor = actorOf(p);
  const { onBehalfOfId: _, ...by } = actorColumns(actor);
  return deps.db.$transaction(async (tx) => {
    const stored = [];
    for (const v of body.values) {
      const data = { value: v.value, note: v.note ?? null, evidenceRequestId: v.evidenceRequestId ?? null, ...by, recordedAt: new Date() };
      stored.push(
        await tx.measureValue.upsert({
          where: { measureId_reviewId: { measureId: v.measureId, reviewId } },
          create: { measureId: v.measureId, reviewId, ...data },
          update: data,
        }),
      );
    }
    await recordEvent(
      tx,
      partnershipId,
      `review:${reviewId}:measures:${randomUUID()}`,
      'measures.recorded',
      { reviewId, values: stored.map((v) => ({ measureId: v.measureId, value: v.value })) },
      actor,
    );
    return stored;
  });
}

import type { Db } from '../../lib/db/client.js';
import { type MeasureStanding, standingOf } from './trajectory.js';

/**
 * A partnership's goals, each measure with its values by review (oldest first) and its standing by
 * the latest: what its page, its API route and its summary show.
 */
export async function goalsOf(db: Db, partnershipId: string) {
  const goals = await db.goal.findMany({
    where: { partnershipId },
    orderBy: { createdAt: 'asc' },
    include: {
      measures: {
        orderBy: { createdAt: 'asc' },
        include: {
          values: {
            include: { review: { select: { id: true, sequence: true, scheduledAt: true } } },
            orderBy: { review: { scheduledAt: 'asc' } },
          },
        },
      },
    },
  });
  return goals.map((g) => ({
    ...g,
    measures: g.measures.map((m) => {
      const last = m.values.at(-1);
      return { ...m, ...standingOf(m, last ? { value: last.value, at: last.review.scheduledAt } : null) };
    }),
  }));
}

export type GoalWithMeasures = Awaited<ReturnType<typeof goalsOf>>[number];

/** How many measures of each partnership are behind their trajectory, for the dashboard's health (one query). */
export async function measuresBehind(db: Db, partnershipIds: string[]): Promise<Map<string, number>> {
  const measures = await db.measure.findMany({
    where: { partnershipId: { in: partnershipIds } },
    select: {
      partnershipId: true,
      baseline: true,
      baselineAt: true,
      target: true,
      targetAt: true,
      direction: true,
      values: { select: { value: true, review: { select: { scheduledAt: true } } }, orderBy: { review: { scheduledAt: 'desc' } }, take: 1 },
    },
  });
  const behind = new Map<string, number>();
  for (const m of measures) {
    const last = m.values[0];
    const s: MeasureStanding = standingOf(m, last ? { value: last.value, at: last.review.scheduledAt } : null).standing;
    if (s === 'behind') behind.set(m.partnershipId, (behind.get(m.partnershipId) ?? 0) + 1);
  }
  return behind;
}

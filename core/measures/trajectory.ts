/**
 * Whether a measure of success is where it should be. Its trajectory is the straight line from its
 * baseline (when it was set) to its target (by the target's date), flat at the target after that
 * date: a value recorded at a review is judged against the trajectory at that review's time. The
 * one rule the partnership's page, the API and the dashboard's health read.
 */

export type Direction = 'increase' | 'decrease';

export interface MeasurePlan {
  baseline: number;
  baselineAt: Date;
  target: number;
  targetAt: Date;
  direction: Direction;
}

/** met: at or past its target; on_track: at or past its trajectory; behind: short of it; no_value: nothing recorded yet. */
export type MeasureStanding = 'no_value' | 'on_track' | 'behind' | 'met';

export const STANDING_LABELS: Record<MeasureStanding, string> = {
  no_value: 'Not recorded yet',
  on_track: 'On track',
  behind: 'Behind its trajectory',
  met: 'Target met',
};

// Figures are typed by people with a few decimals; a rounding difference is no shortfall.
const EPSILON = 1e-9;

/** Where the measure should be at `at`. */
export function expectedAt(m: MeasurePlan, at: Date): number {
  const span = m.targetAt.getTime() - m.baselineAt.getTime();
  const share = span <= 0 ? 1 : Math.min(1, Math.max(0, (at.getTime() - m.baselineAt.getTime()) / span));
  return m.baseline + (m.target - m.baseline) * share;
}

/** `a` is as good as `b` or better, in the measure's direction. */
const atLeast = (direction: Direction, a: number, b: number) => (direction === 'increase' ? a >= b - EPSILON : a <= b + EPSILON);

/** The standing of a measure by its latest value (the value and the time of the review it was recorded at). */
export function standingOf(
  m: MeasurePlan,
  latest: { value: number; at: Date } | null,
): { standing: MeasureStanding; expected: number | null } {
  if (!latest) return { standing: 'no_value', expected: null };
  const expected = expectedAt(m, latest.at);
  if (atLeast(m.direction, latest.value, m.target)) return { standing: 'met', expected };
  return { standing: atLeast(m.direction, latest.value, expected) ? 'on_track' : 'behind', expected };
}

/** Whether a target lies in the measure's direction from its baseline: an increase aims above it, a decrease below. */
export const aimsRightWay = (m: Pick<MeasurePlan, 'baseline' | 'target' | 'direction'>) =>
  m.direction === 'increase' ? m.target > m.baseline : m.target < m.baseline;

/** A figure as every page, mail and PDF writes it: at most two decimals, with its unit ("44%", "12 students"); a dash for none. */
export const formatFigure = (n: number | null, unit = '') =>
  n === null ? '—' : `${Number(n.toFixed(2))}${unit === '%' ? '%' : unit ? ` ${unit}` : ''}`;

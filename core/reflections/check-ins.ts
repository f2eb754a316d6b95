import type { Side } from '../../generated/prisma/client.js';
import type { Db } from '../../lib/db/client.js';
import { CHECK_IN_DIMENSIONS, CHECK_IN_MINIMUM, type CheckInDimension } from './schemas.js';

/** One member's check-in as stored with their reflection, and the side they were on. */
export interface CheckInRow {
  side: Side;
  ratings: Partial<Record<CheckInDimension, number | null>>;
}

/** A side's figures for one review: how many answered and, from the minimum, the mean of each dimension. */
export interface SideFigures {
  answered: number;
  /** Null below the minimum of answers, so that nobody is singled out. */
  means: Record<CheckInDimension, number | null> | null;
}

export interface CheckInSummary {
  district: SideFigures;
  partner: SideFigures;
  /** District mean minus partner mean, where both sides are shown and rated the dimension. */
  gap: Record<CheckInDimension, number | null> | null;
}

/** Whether any of these rated anything: a member who rated nothing has not checked in. */
const hasRatings = (rows: readonly CheckInRow[]) => rows.some((r) => CHECK_IN_DIMENSIONS.some((d) => typeof r.ratings[d.key] === 'number'));

const round1 = (n: number) => Math.round(n * 10) / 10;

function sideFigures(rows: readonly CheckInRow[]): SideFigures {
  // One who rated some dimensions counts for those.
  const answered = rows.filter((r) => hasRatings([r]));
  if (answered.length < CHECK_IN_MINIMUM) return { answered: answered.length, means: null };
  const means = Object.fromEntries(
    CHECK_IN_DIMENSIONS.map((d) => {
      const values = answered.map((r) => r.ratings[d.key]).filter((v): v is number => typeof v === 'number');
      // A dimension rated by fewer than the minimum is hidden too: its mean would be someone's rating.
      return [d.key, values.length >= CHECK_IN_MINIMUM ? round1(values.reduce((a, b) => a + b, 0) / values.length) : null];
    }),
  ) as Record<CheckInDimension, number | null>;
  return { answered: answered.length, means };
}

/**
 * Each side's check-ins on one review, aggregated: a side is shown only from CHECK_IN_MINIMUM
 * answers (its count is always shown); a shared-side member counts with the district, as the
 * roster does. The gap says which side sees the partnership more kindly.
 */
export function summarizeCheckIns(rows: readonly CheckInRow[]): CheckInSummary {
  const district = sideFigures(rows.filter((r) => r.side !== 'partner'));
  const partner = sideFigures(rows.filter((r) => r.side === 'partner'));
  const gap =
    district.means && partner.means
      ? (Object.fromEntries(
          CHECK_IN_DIMENSIONS.map((d) => {
            const a = district.means?.[d.key];
            const b = partner.means?.[d.key];
            return [d.key, typeof a === 'number' && typeof b === 'number' ? round1(a - b) : null];
          }),
        ) as Record<CheckInDimension, number | null>)
      : null;
  return { district, partner, gap };
}

const ratingColumns = {
  ratingRelationship: true,
  ratingContent: true,
  ratingDelivery: true,
  ratingResults: true,
  ratingCommunication: true,
};

function rowOf(r: Record<(typeof CHECK_IN_DIMENSIONS)[number]['column'], number | null>, side: Side): CheckInRow {
  return { side, ratings: Object.fromEntries(CHECK_IN_DIMENSIONS.map((d) => [d.key, r[d.column]])) };
}

/** Each held review's check-ins, oldest first, each with the side its author is on. */
async function checkInRows(db: Db, partnershipId: string) {
  const [reviews, members] = await Promise.all([
    db.review.findMany({
      where: { partnershipId, status: 'held' },
      orderBy: { sequence: 'asc' },
      select: {
        id: true,
        sequence: true,
        scheduledAt: true,
        reflections: { where: { submittedAt: { not: null } }, select: { personId: true, ...ratingColumns } },
      },
    }),
    db.partnershipMember.findMany({ where: { partnershipId }, select: { personId: true, side: true } }),
  ]);
  // Someone who has since left the partnership counts with the district: their side is not known any more.
  const sideOf = new Map(members.map((m) => [m.personId, m.side]));
  return reviews.map((r) => ({
    reviewId: r.id,
    sequence: r.sequence,
    scheduledAt: r.scheduledAt,
    rows: r.reflections.map((x) => rowOf(x, sideOf.get(x.personId) ?? 'district')),
  }));
}

/** The check-ins of a partnership's held reviews, oldest first: its trend by review. The caller checks the right to see them. */
export async function partnershipCheckIns(db: Db, partnershipId: string) {
  return (await checkInRows(db, partnershipId)).map(({ rows, ...review }) => ({ ...review, ...summarizeCheckIns(rows) }));
}

/**
 * A cohort's check-ins: each partnership's latest review with check-ins, and the cohort's own figures
 * from those latest answers pooled (each side still shown only from the minimum).
 */
export async function cohortCheckIns(db: Db, cohortId: string) {
  const partnerships = await db.partnership.findMany({ where: { cohortId }, select: { id: true, name: true }, orderBy: { name: 'asc' } });
  const pooled: CheckInRow[] = [];
  const rows = [];
  for (const p of partnerships) {
    const latest = (await checkInRows(db, p.id)).findLast((r) => hasRatings(r.rows));
    if (latest) pooled.push(...latest.rows);
    rows.push({
      partnershipId: p.id,
      name: p.name,
      latest: latest ? { reviewId: latest.reviewId, sequence: latest.sequence, ...summarizeCheckIns(latest.rows) } : null,
    });
  }
  return { partnerships: rows, cohort: summarizeCheckIns(pooled) };
}

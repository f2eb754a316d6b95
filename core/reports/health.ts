import type { Prisma } from '../../generated/prisma/client.js';
import type { Db } from '../../lib/db/client.js';
import { measuresBehind } from '../measures/goals.js';
import { attendanceLine, attendanceOf } from '../replies/attendance.js';

/**
 * A partnership's health at a glance, for the dashboard (its page, its API route and its CSV): read
 * from PostgreSQL only, never by asking the workflows. The rules are here and nowhere else; the
 * dashboard shows RULES as its explanation.
 */

export type Health = 'on_track' | 'needs_attention' | 'at_risk';

/** How far back "recent" reviews reach, and when overdue work puts a partnership at risk. */
export const RECENT_REVIEWS = 4;
export const LONG_OVERDUE_DAYS = 14;
export const REFLECTION_QUORUM = 0.5;

export const RULES: Record<Exclude<Health, 'on_track'>, string[]> = {
  at_risk: [
    `2 or more of its last ${RECENT_REVIEWS} reviews were missed`,
    `a commitment or evidence request is more than ${LONG_OVERDUE_DAYS} days overdue`,
  ],
  needs_attention: [
    `1 of its last ${RECENT_REVIEWS} reviews was missed`,
    'a commitment or evidence request is overdue',
    `fewer than ${REFLECTION_QUORUM * 100}% of the members reflected on the last held review, once its window closed`,
    'a measure of success is behind its trajectory (the straight line from its baseline to its target)',
  ],
};

export const HEALTH_LABELS: Record<Health, string> = { on_track: 'On track', needs_attention: 'Needs attention', at_risk: 'At risk' };

/** What the rules look at, per partnership. */
export interface HealthFacts {
  /** Statuses of the last reviews whose time has passed, newest first (at most RECENT_REVIEWS). */
  recentReviews: string[];
  overdue: number;
  /** Days since the oldest overdue item was due (0 when none). */
  longestOverdueDays: number;
  /** Reflections on the last held review, once its window closed. */
  reflection: { asked: number; answered: number; closed: boolean } | null;
  /** Measures of success whose latest value is short of their trajectory. */
  measuresBehind: number;
}

/** The health and the rules that decided it; a partnership that is not running has none. */
export function judge(status: string, f: HealthFacts): { health: Health | null; reasons: string[] } {
  if (status !== 'active' && status !== 'paused') return { health: null, reasons: [] };
  const missed = f.recentReviews.filter((s) => s === 'missed').length;
  const atRisk = [missed >= 2 && RULES.at_risk[0], f.longestOverdueDays > LONG_OVERDUE_DAYS && RULES.at_risk[1]].filter(
    (r): r is string => typeof r === 'string',
  );
  if (atRisk.length) return { health: 'at_risk', reasons: atRisk };
  const lowReflection = f.reflection?.closed && f.reflection.asked > 0 && f.reflection.answered / f.reflection.asked < REFLECTION_QUORUM;
  const attention = [
    missed === 1 && RULES.needs_attention[0],
    f.overdue > 0 && RULES.needs_attention[1],
    lowReflection && RULES.needs_attention[2],
    f.measuresBehind > 0 && RULES.needs_attention[3],
  ].filter((r): r is string => typeof r === 'string');
  return attention.length ? { health: 'needs_attention', reasons: attention } : { health: 'on_track', reasons: [] };
}

export interface PartnershipHealth {
  id: string;
  name: string;
  status: string;
  timeZone: string;
  cohort: { id: string; name: string } | null;
  district: string;
  partner: string;
  nextReviewAt: Date | null;
  /** Answers to its invitation from calendar apps, e.g. "4 of 6 accepted, 2 of 6 declined" (core/replies/attendance.ts). */
  nextReviewAttendance: string | null;
  lastOutcome: { status: string; at: Date } | null;
  missedReviews: number;
  overdueCommitments: number;
  overdueEvidence: number;
  reflection: { asked: number; answered: number } | null;
  measuresBehind: number;
  health: Health | null;
  reasons: string[];
}

const DAY = 86_400_000;

/**
 * The health of every partnership `where` selects, in a fixed number of queries whatever their count
 * (a dashboard of a thousand partnerships makes the same six queries as one of twenty-two).
 */
export async function partnershipHealth(db: Db, where: Prisma.PartnershipWhereInput, now: Date): Promise<PartnershipHealth[]> {
  const partnerships = await db.partnership.findMany({
    where,
    select: {
      id: true,
      name: true,
      status: true,
      timeZone: true,
      cohort: { select: { id: true, name: true } },
      district: { select: { name: true } },
      partner: { select: { name: true } },
      _count: { select: { members: true } },
    },
    orderBy: { name: 'asc' },
  });
  const ids = partnerships.map((p) => p.id);
  const open = { in: ['open' as const, 'overdue' as const] };
  const [reviews, commitments, evidence, behind] = await Promise.all([
    db.review.findMany({
      where: { partnershipId: { in: ids } },
      select: { id: true, partnershipId: true, status: true, scheduledAt: true, outcomeAt: true, reflectionsClosedAt: true },
      orderBy: { scheduledAt: 'desc' },
    }),
    db.commitment.groupBy({
      by: ['partnershipId'],
      where: { partnershipId: { in: ids }, status: open, dueAt: { lt: now } },
      _count: { _all: true },
      _min: { dueAt: true },
    }),
    db.evidenceRequest.groupBy({
      by: ['partnershipId'],
      where: { partnershipId: { in: ids }, status: open, dueAt: { lt: now } },
      _count: { _all: true },
      _min: { dueAt: true },
    }),
    measuresBehind(db, ids),
  ]);
  const byPartnership = new Map<string, typeof reviews>();
  for (const r of reviews) byPartnership.set(r.partnershipId, [...(byPartnership.get(r.partnershipId) ?? []), r]);
  const lastHeld = new Map<string, (typeof reviews)[number]>();
  for (const [id, rs] of byPartnership) {
    const held = rs.find((r) => r.status === 'held');
    if (held) lastHeld.set(id, held);
  }
  const heldIds = [...lastHeld.values()].map((r) => r.id);
  const upcomingOf = (id: string) => (byPartnership.get(id) ?? []).filter((r) => r.status === 'scheduled').at(-1) ?? null;
  const upcomingIds = ids.map((id) => upcomingOf(id)?.id).filter((id): id is string => Boolean(id));
  const [asked, answered, attendance] = await Promise.all([
    db.reflection.groupBy({ by: ['reviewId'], where: { reviewId: { in: heldIds } }, _count: { _all: true } }),
    db.reflection.groupBy({ by: ['reviewId'], where: { reviewId: { in: heldIds }, submittedAt: { not: null } }, _count: { _all: true } }),
    attendanceOf(db, upcomingIds),
  ]);
  const count = <T extends { _count: { _all: number } }>(rows: T[], key: (r: T) => string) =>
    new Map(rows.map((r) => [key(r), r._count._all]));
  const askedBy = count(asked, (r) => r.reviewId);
  const answeredBy = count(answered, (r) => r.reviewId);
  const overdueC = new Map(commitments.map((c) => [c.partnershipId, c]));
  const overdueE = new Map(evidence.map((e) => [e.partnershipId, e]));

  return partnerships.map((p) => {
    const rs = byPartnership.get(p.id) ?? [];
    const past = rs.filter((r) => r.scheduledAt.getTime() <= now.getTime() && r.status !== 'scheduled').slice(0, RECENT_REVIEWS);
    const upcoming = upcomingOf(p.id);
    const decided = rs.find((r) => r.status !== 'scheduled') ?? null;
    const c = overdueC.get(p.id);
    const e = overdueE.get(p.id);
    const oldest = Math.min(c?._min.dueAt?.getTime() ?? Number.POSITIVE_INFINITY, e?._min.dueAt?.getTime() ?? Number.POSITIVE_INFINITY);
    const held = lastHeld.get(p.id);
    const reflection = held ? { asked: askedBy.get(held.id) ?? 0, answered: answeredBy.get(held.id) ?? 0 } : null;
    const facts: HealthFacts = {
      recentReviews: past.map((r) => r.status),
      overdue: (c?._count._all ?? 0) + (e?._count._all ?? 0),
      longestOverdueDays: Number.isFinite(oldest) ? Math.floor((now.getTime() - oldest) / DAY) : 0,
      reflection: reflection && held ? { ...reflection, closed: held.reflectionsClosedAt !== null } : null,
      measuresBehind: behind.get(p.id) ?? 0,
    };
    return {
      id: p.id,
      name: p.name,
      status: p.status,
      timeZone: p.timeZone,
      cohort: p.cohort,
      district: p.district.name,
      partner: p.partner.name,
      nextReviewAt: upcoming?.scheduledAt ?? null,
      nextReviewAttendance: upcoming ? attendanceLine(attendance.get(upcoming.id) ?? [], p._count.members) : null,
      lastOutcome: decided ? { status: decided.status, at: decided.outcomeAt ?? decided.scheduledAt } : null,
      missedReviews: facts.recentReviews.filter((s) => s === 'missed').length,
      overdueCommitments: c?._count._all ?? 0,
      overdueEvidence: e?._count._all ?? 0,
      reflection,
      measuresBehind: facts.measuresBehind,
      ...judge(p.status, facts),
    };
  });
}

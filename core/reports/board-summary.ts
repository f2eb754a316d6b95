import type { Db } from '../../lib/db/client.js';
import { NotFoundError } from '../../lib/errors.js';
import { EVIDENCE_KINDS } from '../deadlines/schemas.js';
import { goalsOf } from '../measures/goals.js';
import type { Principal } from '../people/principal.js';
import { assertSeesBoardSummary, partnershipScope } from '../people/rights.js';
import { partnershipCheckIns, type SideFigures } from '../reflections/check-ins.js';
import { reflectionThemes } from '../reflections/themes.js';
import { partnershipHealth } from './health.js';
import { trends } from './trends.js';

/**
 * A partnership's one-page summary for its sponsor and the board: where it stands (health), its goals
 * and measures with their trend, commitments kept on time by side, evidence by kind, how both sides
 * rate it review by review, the themes of the last reflections, and what is overdue. Read from
 * PostgreSQL only; the page, its PDF and the API show the same figures.
 */
export async function boardSummary(db: Db, partnershipId: string, now = new Date()) {
  const p = await db.partnership.findUniqueOrThrow({
    where: { id: partnershipId },
    include: { district: true, partner: true, cohort: true, members: { where: { role: 'executive_sponsor' }, include: { person: true } } },
  });
  const open = { in: ['open' as const, 'overdue' as const] };
  const [goals, checkIns, health, trend, requests, overdueCommitments, overdueEvidence, lastHeld] = await Promise.all([
    goalsOf(db, p.id),
    partnershipCheckIns(db, p.id),
    partnershipHealth(db, { id: p.id }, now).then((rows) => rows[0]),
    trends(db, { id: p.id }, p.timeZone, now.getTime()),
    db.evidenceRequest.findMany({ where: { partnershipId: p.id }, select: { kinds: true, status: true, acceptedAt: true } }),
    db.commitment.findMany({
      where: { partnershipId: p.id, status: open, dueAt: { lt: now } },
      include: { owner: { select: { name: true } } },
      orderBy: { dueAt: 'asc' },
    }),
    db.evidenceRequest.findMany({
      where: { partnershipId: p.id, status: open, dueAt: { lt: now } },
      include: { owner: { select: { name: true } } },
      orderBy: { dueAt: 'asc' },
    }),
    db.review.findFirst({
      where: { partnershipId: p.id, status: 'held' },
      orderBy: { scheduledAt: 'desc' },
      include: { reflections: { where: { submittedAt: { not: null } } } },
    }),
  ]);
  const evidence = EVIDENCE_KINDS.map((k) => {
    const of = requests.filter((r) => r.kinds.includes(k.value));
    return {
      kind: k.label,
      requested: of.length,
      submitted: of.filter((r) => r.status === 'submitted').length,
      accepted: of.filter((r) => r.acceptedAt).length,
    };
  }).filter((k) => k.requested > 0);
  return {
    asOf: now,
    partnership: {
      id: p.id,
      name: p.name,
      status: p.status,
      timeZone: p.timeZone,
      district: p.district.name,
      partner: p.partner.name,
      cohort: p.cohort?.name ?? null,
      sponsors: p.members.map((m) => m.person.name),
    },
    health: { health: health?.health ?? null, reasons: health?.reasons ?? [], missedReviews: health?.missedReviews ?? 0 },
    goals: goals.map((g) => ({
      title: g.title,
      measures: g.measures.map((m) => ({
        name: m.name,
        unit: m.unit,
        baseline: m.baseline,
        target: m.target,
        targetAt: m.targetAt,
        latest: m.values.at(-1)?.value ?? null,
        values: m.values.map((v) => v.value),
        standing: m.standing,
      })),
    })),
    commitmentsBySide: trend.onTime,
    evidence,
    checkIns: checkIns.map((c) => ({ sequence: c.sequence, district: overall(c.district), partner: overall(c.partner) })),
    themes: lastHeld
      ? { reviewSequence: lastHeld.sequence, themes: reflectionThemes(lastHeld.reflections).overall.map((t) => t.phrase) }
      : null,
    overdue: [
      ...overdueCommitments.map((c) => ({ what: 'Commitment', description: c.description, owner: c.owner.name, dueAt: c.dueAt })),
      ...overdueEvidence.map((e) => ({ what: 'Evidence', description: e.description, owner: e.owner.name, dueAt: e.dueAt })),
    ].sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime()),
  };
}

export type BoardSummary = Awaited<ReturnType<typeof boardSummary>>;

/** A side's overall rating at a review: the mean of its dimensions' means, where its figures are shown at all. */
function overall(side: SideFigures): number | null {
  const means = Object.values(side.means ?? {}).filter((v): v is number => typeof v === 'number');
  return means.length ? Math.round((10 * means.reduce((a, b) => a + b, 0)) / means.length) / 10 : null;
}

/** The summary as `p` may read it: 404 for a partnership it cannot see, 403 unless it is the sponsor's, a lead's or a manager's. */
export async function boardSummaryFor(db: Db, p: Principal, partnershipId: string): Promise<BoardSummary> {
  const partnership = await db.partnership.findFirst({ where: { id: partnershipId, ...partnershipScope(p) } });
  if (!partnership) throw new NotFoundError(`Partnership ${partnershipId} does not exist`);
  await assertSeesBoardSummary(db, p, partnership);
  return boardSummary(db, partnership.id);
}

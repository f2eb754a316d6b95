import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Prisma } from '../../generated/prisma/client.js';
import type { Db } from '../../lib/db/client.js';
import { keyset, page, pageQuery } from '../../lib/pagination.js';
import type { Principal } from '../people/principal.js';
import { partnershipScope } from '../people/rights.js';

const DAY_MS = 86_400_000;

export const partnershipFilters = z.object({
  cohortId: z.uuid().optional(),
  districtId: z.uuid().optional(),
  partnerId: z.uuid().optional(),
  partnershipId: z.uuid().optional(),
});
type PartnershipFilters = z.infer<typeof partnershipFilters>;

/** The partnerships a report covers: what the caller may see, narrowed by the filters. */
export const covered = (caller: Principal, f: PartnershipFilters): Prisma.PartnershipWhereInput => ({
  AND: [partnershipScope(caller), { cohortId: f.cohortId, districtId: f.districtId, partnerId: f.partnerId, id: f.partnershipId }],
});

export const localTime = (at: Date, timeZone: string) => DateTime.fromJSDate(at, { zone: timeZone }).toISO({ suppressMilliseconds: true });

export const overdueQuery = pageQuery(['dueAt'], 'dueAt').extend({
  ...partnershipFilters.shape,
  ownerId: z.uuid().optional(),
  minDaysOverdue: z.coerce.number().int().min(0).max(3650).optional().meta({ description: 'At least this many whole days past due.' }),
  maxDaysOverdue: z.coerce.number().int().min(0).max(3650).optional().meta({ description: 'At most this many whole days past due.' }),
});

export const overdueItem = z
  .object({
    id: z.uuid(),
    description: z.string(),
    side: z.string(),
    status: z.string(),
    dueAt: z.string(),
    daysOverdue: z.number().int(),
    owner: z.object({ id: z.uuid(), name: z.string(), email: z.string() }),
    partnership: z.object({ id: z.uuid(), name: z.string(), cohortId: z.uuid().nullable(), districtId: z.uuid(), partnerId: z.uuid() }),
  })
  .meta({ id: 'OverdueCommitment' });

type OverdueFilters = PartnershipFilters & {
  ownerId?: string | undefined;
  minDaysOverdue?: number | undefined;
  maxDaysOverdue?: number | undefined;
};

/** The commitments the overdue report covers, for its page of JSON and its CSV alike. */
export function overdueWhere(caller: Principal, query: OverdueFilters, now: number): Prisma.CommitmentWhereInput {
  const dueBefore = new Date(now - (query.minDaysOverdue ?? 0) * DAY_MS);
  const dueFrom = query.maxDaysOverdue === undefined ? undefined : new Date(now - (query.maxDaysOverdue + 1) * DAY_MS);
  return {
    status: { in: ['open', 'overdue'] },
    dueAt: { lt: dueBefore, ...(dueFrom ? { gt: dueFrom } : {}) },
    ownerId: query.ownerId,
    partnership: covered(caller, query),
  };
}

export const overdueCsvQuery = z
  .object({
    ...partnershipFilters.shape,
    ownerId: z.uuid().optional(),
    minDaysOverdue: overdueQuery.shape.minDaysOverdue,
    maxDaysOverdue: overdueQuery.shape.maxDaysOverdue,
  })
  .strict();

export const upcomingQuery = pageQuery(['scheduledAt'], 'scheduledAt').extend({
  ...partnershipFilters.shape,
  days: z.coerce.number().int().min(1).max(730).default(90),
});
export const missingQuery = pageQuery(['promptedAt'], 'promptedAt').extend({
  ...partnershipFilters.shape,
  window: z.enum(['open', 'closed', 'all']).default('open'),
});
export const evidenceQuery = pageQuery(['dueAt'], 'dueAt').extend({
  ...partnershipFilters.shape,
  status: z.enum(['open', 'overdue', 'submitted', 'waived']).optional(),
});

/*
 * The reports, one page at a time, for the API's routes and the web's report pages (and their CSV,
 * which reads page after page) alike.
 */

export async function overdueReport(db: Db, caller: Principal, query: z.output<typeof overdueQuery>) {
  const now = Date.now();
  const where = overdueWhere(caller, query, now);
  const k = keyset(query);
  const [rows, total] = await Promise.all([
    db.commitment.findMany({
      where: { AND: [where, k.where as Prisma.CommitmentWhereInput] },
      orderBy: k.orderBy,
      take: k.take,
      include: {
        owner: { select: { id: true, name: true, email: true } },
        partnership: { select: { id: true, name: true, cohortId: true, districtId: true, partnerId: true } },
      },
    }),
    db.commitment.count({ where }),
  ]);
  return {
    asOf: new Date(now).toISOString(),
    total,
    ...page(rows, query, k.field, (c) => ({
      id: c.id,
      description: c.description,
      side: c.side,
      status: c.status,
      dueAt: c.dueAt.toISOString(),
      daysOverdue: Math.floor((now - c.dueAt.getTime()) / DAY_MS),
      owner: c.owner,
      partnership: c.partnership,
    })),
  };
}

export async function upcomingReviewsReport(db: Db, caller: Principal, query: z.output<typeof upcomingQuery>) {
  const now = Date.now();
  const k = keyset(query);
  const rows = await db.review.findMany({
    where: {
      AND: [
        { status: 'scheduled', scheduledAt: { gte: new Date(now), lt: new Date(now + query.days * DAY_MS) } },
        { partnership: covered(caller, query) },
        k.where as Prisma.ReviewWhereInput,
      ],
    },
    orderBy: k.orderBy,
    take: k.take,
    include: { partnership: { select: { id: true, name: true, timeZone: true, status: true } } },
  });
  return page(rows, query, k.field, (r) => ({
    id: r.id,
    sequence: r.sequence,
    scheduledAt: r.scheduledAt.toISOString(),
    local: localTime(r.scheduledAt, r.partnership.timeZone),
    partnership: r.partnership,
  }));
}

export async function missingReflectionsReport(db: Db, caller: Principal, query: z.output<typeof missingQuery>) {
  const k = keyset(query);
  const closed = { open: { reflectionsClosedAt: null }, closed: { reflectionsClosedAt: { not: null } }, all: {} }[query.window];
  const rows = await db.reflection.findMany({
    where: {
      AND: [{ submittedAt: null, review: { ...closed, partnership: covered(caller, query) } }, k.where as Prisma.ReflectionWhereInput],
    },
    orderBy: k.orderBy,
    take: k.take,
    include: {
      person: { select: { id: true, name: true, email: true } },
      review: {
        select: {
          id: true,
          sequence: true,
          scheduledAt: true,
          reflectionsClosedAt: true,
          partnership: { select: { id: true, name: true } },
        },
      },
    },
  });
  return page(rows, query, k.field, (r) => ({
    id: r.id,
    promptedAt: r.promptedAt.toISOString(),
    person: r.person,
    review: {
      id: r.review.id,
      sequence: r.review.sequence,
      scheduledAt: r.review.scheduledAt.toISOString(),
      windowClosedAt: r.review.reflectionsClosedAt?.toISOString() ?? null,
    },
    partnership: r.review.partnership,
  }));
}

export async function evidenceStatusReport(db: Db, caller: Principal, query: z.output<typeof evidenceQuery>) {
  const k = keyset(query);
  const scope = { partnership: covered(caller, query) };
  const [rows, counts] = await Promise.all([
    db.evidenceRequest.findMany({
      where: { AND: [scope, { status: query.status }, k.where as Prisma.EvidenceRequestWhereInput] },
      orderBy: k.orderBy,
      take: k.take,
      include: {
        _count: { select: { items: true } },
        partnership: { select: { id: true, name: true } },
        owner: { select: { name: true } },
      },
    }),
    db.evidenceRequest.groupBy({ by: ['status'], where: scope, _count: { _all: true } }),
  ]);
  return {
    counts: { open: 0, overdue: 0, submitted: 0, waived: 0, ...Object.fromEntries(counts.map((c) => [c.status, c._count._all])) },
    ...page(rows, query, k.field, (r) => ({
      id: r.id,
      description: r.description,
      kinds: r.kinds,
      status: r.status,
      dueAt: r.dueAt.toISOString(),
      items: r._count.items,
      owner: r.owner,
      partnership: r.partnership,
    })),
  };
}

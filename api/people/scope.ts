import type { Prisma } from '../../generated/prisma/client.js';
import type { Caller } from '../../lib/auth/api-keys.js';
import type { Db } from '../../lib/db/client.js';
import { ForbiddenError, NotFoundError } from '../../lib/errors.js';

// A key whose cohort or organization was deleted (the reference is set null) sees nothing.
const NOTHING = '00000000-0000-0000-0000-000000000000';

/**
 * Tenancy. Every read and write of partnership data goes through these filters, so a key never
 * sees another organization's data. Out-of-scope things answer 404, exactly like missing ones:
 * a caller learns nothing about what exists elsewhere.
 */
export function partnershipScope(caller: Caller): Prisma.PartnershipWhereInput {
  switch (caller.role) {
    case 'admin':
      return {};
    case 'coordinator':
      return { cohortId: caller.cohortId ?? NOTHING };
    case 'district':
      return { districtId: caller.organizationId ?? NOTHING };
    case 'partner':
      return { partnerId: caller.organizationId ?? NOTHING };
  }
}

/** The partnership with that id if the caller may see it; 404 otherwise. */
export async function visiblePartnershipId(db: Db, caller: Caller, id: string): Promise<string> {
  const p = await db.partnership.findFirst({ where: { id, ...partnershipScope(caller) }, select: { id: true } });
  if (!p) throw new NotFoundError(`Partnership ${id} does not exist`);
  return p.id;
}

/** The partnership a commitment, evidence request or review belongs to, checked against the caller's scope. */
export async function visibleOwner(
  db: Db,
  caller: Caller,
  kind: 'commitment' | 'evidence request' | 'review',
  id: string,
): Promise<string> {
  const where = { id, partnership: partnershipScope(caller) };
  const select = { partnershipId: true };
  const row =
    kind === 'commitment'
      ? await db.commitment.findFirst({ where, select })
      : kind === 'review'
        ? await db.review.findFirst({ where, select })
        : await db.evidenceRequest.findFirst({ where, select });
  if (!row) throw new NotFoundError(`${kind[0]?.toUpperCase()}${kind.slice(1)} ${id} does not exist`);
  return row.partnershipId;
}

/** People the caller may see: members of partnerships it may see (everyone, for an admin). */
export function personScope(caller: Caller): Prisma.PersonWhereInput {
  return caller.role === 'admin' ? {} : { memberships: { some: { partnership: partnershipScope(caller) } } };
}

export function organizationScope(caller: Caller): Prisma.OrganizationWhereInput {
  if (caller.role === 'admin') return {};
  const scope = partnershipScope(caller);
  return {
    OR: [
      ...(caller.organizationId ? [{ id: caller.organizationId }] : []),
      { districtPartnerships: { some: scope } },
      { partnerPartnerships: { some: scope } },
    ],
  };
}

export function cohortScope(caller: Caller): Prisma.CohortWhereInput {
  if (caller.role === 'admin') return {};
  if (caller.role === 'coordinator') return { id: caller.cohortId ?? NOTHING };
  return { partnerships: { some: partnershipScope(caller) } };
}

/**
 * Creating a partnership: an admin anywhere; a coordinator in its cohort; district staff for their
 * own district, outside any cohort. Partner staff take part in partnerships but do not open them.
 */
export function assertMayCreatePartnership(caller: Caller, target: { districtId: string | null; cohortId: string | null }) {
  if (caller.role === 'admin') return;
  if (caller.role === 'coordinator') {
    if (target.cohortId !== caller.cohortId) throw new ForbiddenError('A coordinator creates partnerships in its own cohort only');
    return;
  }
  if (caller.role === 'district') {
    if (target.districtId !== caller.organizationId)
      throw new ForbiddenError('District staff create partnerships for their own district only');
    if (target.cohortId) throw new ForbiddenError("Only an admin or the cohort's coordinator puts a partnership into a cohort");
    return;
  }
  throw new ForbiddenError('Partner staff cannot create partnerships');
}

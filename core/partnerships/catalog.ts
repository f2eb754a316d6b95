import type { z } from 'zod';
import { Prisma } from '../../generated/prisma/client.js';
import type { Db } from '../../lib/db/client.js';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { parseOrThrow } from '../../lib/validation.js';
import type { CoreDeps } from '../deps.js';
import { actorColumns, recordEvent } from '../events.js';
import { actorOf, type Principal } from '../people/principal.js';
import { assertKeepsSettingsOf, cohortScope, organizationScope, type SettingsOwner } from '../people/rights.js';
import { checkNewPartnership, writePartnership } from './create.js';
import { catalogApplicationBody, catalogDecisionBody, catalogEntryBody, createPartnershipBody } from './schemas.js';

/**
 * A catalog of partners by pathway: "one district curated a set of external organizations that its
 * schools could apply to partner with". A district (its admins, its key) or a cohort (its
 * coordinators) keeps a catalog of partner organizations, each with the engagement pathways it
 * offers; whoever sees the district or the cohort reads it, and a school or district team applies
 * to one (its goals, the pathway, a contact). The catalog's keepers accept (the partnership is
 * created in planning, its contact as district lead, with its planning checklist) or decline (with
 * why), once: a decision is claimed by the status it expects.
 */

type Deps = Pick<CoreDeps, 'db' | 'temporal' | 'taskQueue' | 'logger'>;
export type CatalogOwner = SettingsOwner;

const ownerWhere = (owner: CatalogOwner) => ('cohortId' in owner ? { cohortId: owner.cohortId } : { districtId: owner.districtId });

/** The owner's name if the principal sees it (a 404 otherwise): its catalog is for everyone who does. */
async function seenOwner(db: Db, p: Principal, owner: CatalogOwner): Promise<{ name: string }> {
  const found =
    'cohortId' in owner
      ? await db.cohort.findFirst({ where: { AND: [{ id: owner.cohortId }, cohortScope(p)] }, select: { name: true } })
      : await db.organization.findFirst({
          where: { AND: [{ id: owner.districtId, kind: 'district' }, organizationScope(p)] },
          select: { name: true },
        });
  if (!found)
    throw new NotFoundError(
      'cohortId' in owner ? `Cohort ${owner.cohortId} does not exist` : `District ${owner.districtId} does not exist`,
    );
  return found;
}

/** The catalog, its partners by name, and whether the principal keeps it. */
export async function catalogOf(deps: Pick<Deps, 'db'>, p: Principal, owner: CatalogOwner) {
  const { name } = await seenOwner(deps.db, p, owner);
  const keeps = await assertKeepsSettingsOf(deps.db, p, owner).then(
    () => true,
    () => false,
  );
  const entries = await deps.db.catalogEntry.findMany({
    where: ownerWhere(owner),
    include: {
      partner: { select: { id: true, name: true } },
      ...(keeps && { applications: { orderBy: { createdAt: 'asc' as const } } }),
    },
    orderBy: { partner: { name: 'asc' } },
  });
  return { name, keeps, entries };
}

export async function addCatalogEntry(deps: Pick<Deps, 'db'>, p: Principal, owner: CatalogOwner, raw: z.input<typeof catalogEntryBody>) {
  const body = parseOrThrow(catalogEntryBody, raw, 'entry');
  await assertKeepsSettingsOf(deps.db, p, owner);
  const zone =
    'districtId' in owner
      ? (await deps.db.organization.findUniqueOrThrow({ where: { id: owner.districtId }, select: { timeZone: true } })).timeZone
      : 'UTC';
  const partner =
    'id' in body.partner
      ? await deps.db.organization.findFirst({ where: { id: body.partner.id, kind: 'partner' } })
      : await deps.db.organization.upsert({
          where: { kind_name: { kind: 'partner', name: body.partner.name } },
          create: { kind: 'partner', name: body.partner.name, timeZone: zone },
          update: {},
        });
  if (!partner) throw new ValidationError('No such partner organization', [{ path: 'partner.id', message: 'is no partner organization' }]);
  try {
    return await deps.db.catalogEntry.create({
      data: { ...ownerWhere(owner), partnerId: partner.id, pathways: body.pathways, description: body.description },
      include: { partner: { select: { id: true, name: true } } },
    });
  } catch (e) {
    if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002') {
      throw new ConflictError(`${partner.name} is already in the catalog`);
    }
    throw e;
  }
}

/** An entry the principal sees, with its owner as a CatalogOwner. */
async function entryFor(db: Db, p: Principal, id: string) {
  const entry = await db.catalogEntry.findUnique({ where: { id }, include: { partner: { select: { id: true, name: true } } } });
  if (!entry) throw new NotFoundError(`Catalog entry ${id} does not exist`);
  const owner: CatalogOwner = entry.cohortId ? { cohortId: entry.cohortId } : { districtId: entry.districtId as string };
  await seenOwner(db, p, owner).catch(() => {
    throw new NotFoundError(`Catalog entry ${id} does not exist`);
  });
  return { entry, owner };
}

export async function applyToCatalog(deps: Pick<Deps, 'db'>, p: Principal, entryId: string, raw: z.input<typeof catalogApplicationBody>) {
  const body = parseOrThrow(catalogApplicationBody, raw, 'application');
  const { entry } = await entryFor(deps.db, p, entryId);
  if (!entry.pathways.includes(body.pathway)) {
    throw new ValidationError(`${entry.partner.name} does not offer that pathway`, [
      { path: 'pathway', message: `is not one of ${entry.pathways.join(', ')}` },
    ]);
  }
  const districtId = entry.districtId ?? body.districtId;
  if (!districtId) throw new ValidationError("Name the team's district", [{ path: 'districtId', message: "give the team's district" }]);
  if (entry.districtId && body.districtId && body.districtId !== entry.districtId) {
    throw new ValidationError("A district's catalog takes its own district's teams", [
      { path: 'districtId', message: 'is another district' },
    ]);
  }
  if (!(await deps.db.organization.findFirst({ where: { id: districtId, kind: 'district' }, select: { id: true } }))) {
    throw new ValidationError('No such district', [{ path: 'districtId', message: 'is no district' }]);
  }
  const { onBehalfOfId: _, ...by } = actorColumns(actorOf(p));
  return deps.db.catalogApplication.create({
    data: {
      entryId,
      team: body.team,
      districtId,
      goals: body.goals,
      pathway: body.pathway,
      contactName: body.contactName,
      contactEmail: body.contactEmail,
      ...by,
    },
  });
}

/** An entry's applications, for its catalog's keepers. */
export async function applicationsOf(deps: Pick<Deps, 'db'>, p: Principal, entryId: string) {
  const { owner } = await entryFor(deps.db, p, entryId);
  await assertKeepsSettingsOf(deps.db, p, owner);
  return deps.db.catalogApplication.findMany({ where: { entryId }, orderBy: { createdAt: 'asc' } });
}

/**
 * Accepts or declines a pending application, once. Accepted, the partnership is created in planning
 * in the same transaction as the claim (its workflow started inside it): if anything refuses,
 * neither is written.
 */
export async function decideApplication(deps: Deps, p: Principal, id: string, raw: z.input<typeof catalogDecisionBody>) {
  const body = parseOrThrow(catalogDecisionBody, raw, 'decision');
  const application = await deps.db.catalogApplication.findUnique({ where: { id } });
  if (!application) throw new NotFoundError(`Application ${id} does not exist`);
  const { entry, owner } = await entryFor(deps.db, p, application.entryId).catch(() => {
    throw new NotFoundError(`Application ${id} does not exist`);
  });
  await assertKeepsSettingsOf(deps.db, p, owner);
  if (application.status !== 'pending') throw new ConflictError(`The application is already ${application.status}`);
  const decided = { status: body.decision, decisionNote: body.note ?? null, decidedAt: new Date(), decidedBy: p.name };
  const claim = async (tx: Prisma.TransactionClient) => {
    const claimed = await tx.catalogApplication.updateMany({ where: { id, status: 'pending' }, data: decided });
    if (claimed.count === 0) throw new ConflictError('The application was decided meanwhile; reload to see how');
  };
  if (body.decision === 'declined') {
    await deps.db.$transaction(claim);
    return { application: await deps.db.catalogApplication.findUniqueOrThrow({ where: { id } }), partnershipId: null };
  }
  const district = await deps.db.organization.findUniqueOrThrow({ where: { id: application.districtId } });
  const request = parseOrThrow(
    createPartnershipBody,
    {
      name: `${application.team}: ${entry.partner.name}`.slice(0, 200),
      district: { id: district.id },
      partner: { id: entry.partnerId },
      ...(entry.cohortId && { cohortId: entry.cohortId }),
      timeZone: district.timeZone,
      firstReviewAt: body.firstReviewAt,
      planning: true,
      engagementPathway: application.pathway,
      goals: application.goals,
      members: [{ name: application.contactName, email: application.contactEmail, role: 'district_lead' }],
    },
    'partnership',
  );
  const checked = await checkNewPartnership(deps.db, p, request, Date.now());
  const partnership = await deps.db.$transaction(async (tx) => {
    await claim(tx);
    const { partnership } = await writePartnership(tx, deps, p, request, checked);
    await tx.catalogApplication.update({ where: { id }, data: { partnershipId: partnership.id } });
    return partnership;
  });
  await recordEvent(
    deps.db,
    partnership.id,
    `catalog:${id}:accepted`,
    'partnership.from_catalog',
    { applicationId: id, team: application.team },
    actorOf(p),
  );
  return { application: await deps.db.catalogApplication.findUniqueOrThrow({ where: { id } }), partnershipId: partnership.id };
}

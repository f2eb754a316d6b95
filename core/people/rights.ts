import type { MemberRole, Prisma } from '../../generated/prisma/client.js';
import type { Db } from '../../lib/db/client.js';
import { ForbiddenError, NotFoundError } from '../../lib/errors.js';
import type { Actor } from '../../workflows/actor.js';
import { actorOf, type PersonPrincipal, type Principal } from './principal.js';

/**
 * Who may see and do what: the one place where rights are decided, for the pages and the API alike.
 *
 * - Seeing. A key sees its role's scope (admin: everything; coordinator: its cohort; district or
 *   partner staff: their organization's partnerships). A person sees the partnerships they are a
 *   member of, those of cohorts they coordinate and of organizations they are an admin of, and all
 *   of them if they run the installation. Anything else answers 404, exactly like what does not exist.
 *   A partner in the catalog of one's district or cohort counts among the organizations one works with.
 * - Managing (changing a partnership's plan: pause, resume, end, recurrence, members): admin,
 *   coordinator and district keys; the partnership's executive sponsor, its cohort's coordinators,
 *   the district's admins and the installation's admins.
 * - Leading (recording outcomes, rescheduling, pledging commitments and asking for evidence):
 *   every key in scope; the district and partner leads, and whoever manages.
 * - A commitment or an evidence request: its owner completes it, submits evidence, asks for more
 *   time; a lead may do so on the owner's behalf, and only a lead drops or waives it. A key acts for
 *   a named person (the owner unless it says otherwise), who must be allowed by these rules and be
 *   staff of the key's organization, unless the key is an admin's or a coordinator's.
 * - A planning question: each side's leads answer for their side (a key, for a lead it names).
 * - A reflection: only its author, signed in.
 * - A person's identity and mail settings: theirs, or the installation admin's (core/people/identity.ts).
 *   Being an organization's staff is granted explicitly (core/people/staff.ts); nobody below the
 *   installation's admin touches an admin.
 */

// A key whose cohort or organization was deleted (the reference is set null) sees nothing.
const NOTHING = '00000000-0000-0000-0000-000000000000';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function partnershipScope(p: Principal): Prisma.PartnershipWhereInput {
  if (p.kind === 'key') {
    switch (p.role) {
      case 'admin':
        return {};
      case 'coordinator':
        return { cohortId: p.cohortId ?? NOTHING };
      case 'district':
        return { districtId: p.organizationId ?? NOTHING };
      case 'partner':
        return { partnerId: p.organizationId ?? NOTHING };
    }
  }
  if (p.isAdmin) return {};
  const adminOf = p.staff.filter((s) => s.isAdmin).map((s) => s.organizationId);
  return {
    OR: [
      { members: { some: { personId: p.id } } },
      ...(p.coordinates.length ? [{ cohortId: { in: p.coordinates } }] : []),
      ...(adminOf.length ? [{ districtId: { in: adminOf } }, { partnerId: { in: adminOf } }] : []),
    ],
  };
}

const seesEverything = (p: Principal) => (p.kind === 'key' ? p.role === 'admin' : p.isAdmin);

/** What of a partnership decides who sees it. */
export interface PartnershipReach {
  districtId: string;
  partnerId: string;
  cohortId: string | null;
  members: readonly { personId: string }[];
}

/**
 * partnershipScope decided in memory, for a partnership already read (the API's recent reads,
 * api/partnerships/recent-reads.ts); test/people/rights-in-memory.test.ts holds the two to the same
 * answers. A key whose cohort or organization is gone sees nothing, as NOTHING makes SQL say.
 */
export function seesPartnership(p: Principal, partnership: PartnershipReach): boolean {
  if (seesEverything(p)) return true;
  if (p.kind === 'key') {
    switch (p.role) {
      case 'coordinator':
        return p.cohortId !== null && partnership.cohortId === p.cohortId;
      case 'district':
        return p.organizationId !== null && partnership.districtId === p.organizationId;
      case 'partner':
        return p.organizationId !== null && partnership.partnerId === p.organizationId;
      default:
        return false;
    }
  }
  const adminOf = new Set(p.staff.filter((s) => s.isAdmin).map((s) => s.organizationId));
  return (
    partnership.members.some((m) => m.personId === p.id) ||
    (partnership.cohortId !== null && p.coordinates.includes(partnership.cohortId)) ||
    adminOf.has(partnership.districtId) ||
    adminOf.has(partnership.partnerId)
  );
}

/** The partnership with that id if the principal may see it; 404 otherwise. */
export async function visiblePartnershipId(db: Db, p: Principal, id: string): Promise<string> {
  const row = await db.partnership.findFirst({ where: { AND: [{ id }, partnershipScope(p)] }, select: { id: true } });
  if (!row) throw new NotFoundError(`Partnership ${id} does not exist`);
  return row.id;
}

/** The cohort with that id if the principal sees it; 404 otherwise. */
export async function visibleCohortId(db: Db, p: Principal, id: string): Promise<string> {
  if (!UUID.test(id)) throw new NotFoundError(`Cohort ${id} does not exist`);
  const cohort = await db.cohort.findFirst({ where: { AND: [{ id }, cohortScope(p)] }, select: { id: true } });
  if (!cohort) throw new NotFoundError(`Cohort ${id} does not exist`);
  return cohort.id;
}

/** The partnership a commitment, evidence request or review belongs to, checked against the principal's scope. */
export async function visibleOwner(db: Db, p: Principal, kind: 'commitment' | 'evidence request' | 'review', id: string): Promise<string> {
  const where = { id, partnership: partnershipScope(p) };
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

/** People the principal may see: members of partnerships it may see (everyone, for an admin). */
export function personScope(p: Principal): Prisma.PersonWhereInput {
  if (seesEverything(p)) return {};
  return {
    OR: [
      { memberships: { some: { partnership: partnershipScope(p) } } },
      ...(p.kind === 'person' ? [{ id: p.id }] : []),
      ...(p.kind === 'key' && p.organizationId ? [{ staff: { some: { organizationId: p.organizationId } } }] : []),
    ],
  };
}

export function organizationScope(p: Principal): Prisma.OrganizationWhereInput {
  if (seesEverything(p)) return {};
  const scope = partnershipScope(p);
  const own = p.kind === 'key' ? (p.organizationId ? [p.organizationId] : []) : p.staff.map((s) => s.organizationId);
  // A partner in the catalog of one's district or cohort is one its staff may work with.
  const catalogs = [...(own.length ? [{ districtId: { in: own } }] : []), ...coordinatedBy(p).map((cohortId) => ({ cohortId }))];
  return {
    OR: [
      ...(own.length ? [{ id: { in: own } }] : []),
      { districtPartnerships: { some: scope } },
      { partnerPartnerships: { some: scope } },
      ...(catalogs.length ? [{ catalogListings: { some: { OR: catalogs } } }] : []),
    ],
  };
}

export function cohortScope(p: Principal): Prisma.CohortWhereInput {
  if (seesEverything(p)) return {};
  if (p.kind === 'key' && p.role === 'coordinator') return { id: p.cohortId ?? NOTHING };
  return {
    OR: [
      { partnerships: { some: partnershipScope(p) } },
      ...(p.kind === 'person' && p.coordinates.length ? [{ id: { in: p.coordinates } }] : []),
    ],
  };
}

/**
 * Creating a partnership: an admin anywhere; a coordinator in its cohort; a district's staff (a
 * district key, or an admin of the district) for that district, outside any cohort.
 */
export function assertMayCreatePartnership(p: Principal, target: { districtId: string | null; cohortId: string | null }) {
  if (seesEverything(p)) return;
  const coordinates = coordinatedBy(p);
  if (target.cohortId && coordinates.includes(target.cohortId)) return;
  if (coordinates.length && !(p.kind === 'person' && p.staff.some((s) => s.isAdmin))) {
    throw new ForbiddenError('A coordinator creates partnerships in its own cohort only');
  }
  const districtOf = p.kind === 'key' ? (p.role === 'district' && p.organizationId ? [p.organizationId] : []) : adminOf(p);
  if (districtOf.length === 0) {
    throw new ForbiddenError(
      p.kind === 'key' ? 'Partner staff cannot create partnerships' : 'Only a district admin or a coordinator creates partnerships',
    );
  }
  if (!target.districtId || !districtOf.includes(target.districtId)) {
    throw new ForbiddenError('District staff create partnerships for their own district only');
  }
  if (target.cohortId) throw new ForbiddenError("Only an admin or the cohort's coordinator puts a partnership into a cohort");
}

/** What only the installation's admins do (make cohorts and their coordinators): an admin key or person. */
export function assertRunsInstallation(p: Principal, what: string) {
  if (!seesEverything(p)) throw new ForbiddenError(`Only an admin may ${what}`);
}

/**
 * What a person may start from the pages, so that they offer only that: the same rules as the
 * assert… functions here, which still decide when the form is sent.
 */
export async function mayStart(
  db: Db,
  p: PersonPrincipal,
): Promise<{ partnership: boolean; import: boolean; ownSettings: boolean; cohort: boolean }> {
  if (p.isAdmin) return { partnership: true, import: true, ownSettings: true, cohort: true };
  const admins = adminOf(p);
  const districtAdmin = admins.length > 0 && (await db.organization.count({ where: { id: { in: admins }, kind: 'district' } })) > 0;
  const coordinates = p.coordinates.length > 0;
  return { partnership: coordinates || districtAdmin, import: coordinates, ownSettings: coordinates || districtAdmin, cohort: false };
}

/** The cohorts a principal coordinates: a coordinator key's, or a person's. */
const coordinatedBy = (p: Principal) => (p.kind === 'key' ? (p.role === 'coordinator' && p.cohortId ? [p.cohortId] : []) : p.coordinates);

const adminOf = (p: Principal) => (p.kind === 'person' ? p.staff.filter((s) => s.isAdmin).map((s) => s.organizationId) : []);

type PartnershipRef = { id: string; districtId: string; partnerId: string; cohortId: string | null };

/** Where a principal stands in a partnership it can see. */
export interface Standing {
  /** Its membership role, for a person who is a member. */
  role: MemberRole | null;
  /** May change the plan. */
  manages: boolean;
  /** May record outcomes, reschedule, pledge. */
  leads: boolean;
}

export async function standingIn(db: Db, p: Principal, partnership: PartnershipRef): Promise<Standing> {
  if (p.kind === 'key') return { role: null, manages: p.role !== 'partner', leads: true };
  const member = await db.partnershipMember.findUnique({
    where: { partnershipId_personId: { partnershipId: partnership.id, personId: p.id } },
    select: { role: true },
  });
  const role = member?.role ?? null;
  const manages =
    p.isAdmin ||
    role === 'executive_sponsor' ||
    (partnership.cohortId !== null && p.coordinates.includes(partnership.cohortId)) ||
    adminOf(p).includes(partnership.districtId);
  return { role, manages, leads: manages || role === 'district_lead' || role === 'partner_lead' };
}

export async function assertManages(db: Db, p: Principal, partnership: PartnershipRef, what: string): Promise<Standing> {
  const standing = await standingIn(db, p, partnership);
  if (!standing.manages) throw new ForbiddenError(`Only those who manage the partnership may ${what}`);
  return standing;
}

export async function assertLeads(db: Db, p: Principal, partnership: PartnershipRef, what: string): Promise<Standing> {
  const standing = await standingIn(db, p, partnership);
  if (!standing.leads) throw new ForbiddenError(`Only the partnership's leads may ${what}`);
  return standing;
}

export type DeadlineAction = 'complete' | 'extend' | 'submit evidence for' | 'drop' | 'waive' | 'review';
const OWNERS_ACTIONS: readonly DeadlineAction[] = ['complete', 'extend', 'submit evidence for'];

/**
 * The actor of an action on a commitment or evidence request, or a 403 saying why not. A person acts
 * themselves (for the owner when they lead); a key acts for a named person, the owner by default.
 */
export async function actorForDeadline(
  db: Db,
  p: Principal,
  deadline: { ownerId: string; partnership: PartnershipRef },
  action: DeadlineAction,
  onBehalfOfId?: string | undefined,
): Promise<{ actor: Actor; personId: string }> {
  const what = action === 'submit evidence for' ? 'submit evidence for this request' : `${action} this`;
  const person = async (id: string) => {
    const found = await db.person.findUnique({ where: { id }, select: { id: true, name: true } });
    if (!found) throw new ForbiddenError(`Person ${id} cannot ${what}`);
    return found;
  };
  if (p.kind === 'person') {
    if (onBehalfOfId && onBehalfOfId !== p.id && onBehalfOfId !== deadline.ownerId) {
      throw new ForbiddenError('A lead acts on behalf of the owner only');
    }
    const own = p.id === deadline.ownerId;
    if (own && OWNERS_ACTIONS.includes(action)) return { actor: actorOf(p), personId: p.id };
    if ((await standingIn(db, p, deadline.partnership)).leads) {
      const owner = await person(deadline.ownerId);
      // Looking at evidence is the lead's own act, never the owner's.
      return { actor: actorOf(p, own || action === 'review' ? null : owner), personId: p.id };
    }
    throw new ForbiddenError(
      OWNERS_ACTIONS.includes(action)
        ? `Only its owner, or a lead on the owner's behalf, may ${what}`
        : `Only the partnership's leads may ${what}`,
    );
  }
  const forId = onBehalfOfId ?? deadline.ownerId;
  const isOwner = forId === deadline.ownerId;
  const membership = await db.partnershipMember.findUnique({
    where: { partnershipId_personId: { partnershipId: deadline.partnership.id, personId: forId } },
    select: { role: true },
  });
  // Someone outside the partnership is not named back: the key may not know them.
  if (!membership && !isOwner) throw new ForbiddenError('onBehalfOf names no member of this partnership');
  const acting = await person(forId);
  const leads = membership?.role === 'district_lead' || membership?.role === 'partner_lead' || membership?.role === 'executive_sponsor';
  if (!(leads || (isOwner && OWNERS_ACTIONS.includes(action)))) {
    throw new ForbiddenError(
      `${acting.name} may not ${what}: ${OWNERS_ACTIONS.includes(action) ? 'name its owner or a lead' : 'name a lead'} in onBehalfOf`,
    );
  }
  if (p.role === 'district' || p.role === 'partner') {
    const ownStaff = await db.staff.findUnique({
      where: { personId_organizationId: { personId: forId, organizationId: p.organizationId ?? NOTHING } },
    });
    if (!ownStaff)
      throw new ForbiddenError(`A ${p.role} key acts only for its own organization's people, and ${acting.name} is not one of them`);
  }
  return { actor: actorOf(p, acting), personId: forId };
}

/**
 * Whose reflections one sees, as the reflection form says: the partnership's leads (and those who
 * manage it, and keys) see everyone's answers with names; the other members see how many answered.
 */
export const seesReflections = (standing: Standing) => standing.leads;

/** A partnership's check-ins, aggregated by side, are for those who lead it, as its reflections are. */
export const seesCheckIns = seesReflections;

/** Replies by mail Tandem could not act on (core/replies/) are shown to the leads, who follow them up. */
export const seesRepliesNotUnderstood = seesReflections;

/** The board summary is its sponsor's and its leads' (and those who manage it): it gathers the check-ins and reflections' themes. */
export async function assertSeesBoardSummary(db: Db, p: Principal, partnership: PartnershipRef): Promise<void> {
  if (!seesCheckIns(await standingIn(db, p, partnership)))
    throw new ForbiddenError("Only the partnership's sponsor and leads see its summary");
}

/** A cohort's check-ins across its partnerships: its coordinators' and the admins'. */
export async function assertSeesCohortCheckIns(db: Db, p: Principal, cohortId: string): Promise<string> {
  const id = await visibleCohortId(db, p, cohortId);
  if (!seesEverything(p) && !coordinatedBy(p).includes(id)) throw new ForbiddenError("Only the cohort's coordinators see its check-ins");
  return id;
}

/**
 * Who answers the planning checklist, and for which side: a lead of the partnership answers for the
 * side they are on; a key names that lead in onBehalfOf (a district or partner key, only its own
 * organization's people). Those who manage without leading a side (a coordinator) read it.
 */
export async function actorForPlanning(
  db: Db,
  p: Principal,
  partnership: PartnershipRef,
  onBehalfOfId?: string | undefined,
): Promise<{ actor: Actor; side: 'district' | 'partner' }> {
  const personId = p.kind === 'person' ? p.id : onBehalfOfId;
  if (p.kind === 'person' && onBehalfOfId && onBehalfOfId !== p.id) throw new ForbiddenError('A person answers for themselves only');
  if (!personId) throw new ForbiddenError('A key answers the planning checklist for a lead it names in onBehalfOf');
  const member = await db.partnershipMember.findUnique({
    where: { partnershipId_personId: { partnershipId: partnership.id, personId } },
    include: { person: { select: { id: true, name: true } } },
  });
  if (!member || (member.role !== 'district_lead' && member.role !== 'partner_lead') || member.side === 'shared') {
    throw new ForbiddenError(
      p.kind === 'person'
        ? "Only the partnership's district and partner leads answer its planning questions"
        : 'onBehalfOf names no district or partner lead of this partnership',
    );
  }
  if (p.kind === 'key' && (p.role === 'district' || p.role === 'partner')) {
    const ownStaff = await db.staff.findUnique({
      where: { personId_organizationId: { personId, organizationId: p.organizationId ?? NOTHING } },
    });
    if (!ownStaff) throw new ForbiddenError(`A ${p.role} key acts only for its own organization's people`);
  }
  return { actor: actorOf(p, p.kind === 'key' ? member.person : null), side: member.side };
}

/** Only its author writes a reflection, signed in. */
export function assertOwnReflection(p: Principal, reflection: { personId: string }) {
  if (p.kind === 'key') throw new ForbiddenError('A reflection is written by its author, signed in; a key cannot write one');
  if (p.id !== reflection.personId) throw new ForbiddenError('You can write only your own reflection');
}

/** Starting something for a whole cohort: an admin, or one of the cohort's coordinators. */
export function assertCoordinates(p: Principal, cohortId: string) {
  if (seesEverything(p)) return;
  if (!coordinatedBy(p).includes(cohortId)) throw new ForbiddenError("Only an admin or the cohort's coordinators act for the whole cohort");
}

/** A district's own settings (its school calendar, its planning questions): an admin, the district's key, the district's admins. */
export function assertManagesDistrict(p: Principal, districtId: string) {
  if (seesEverything(p)) return;
  if (p.kind === 'key' ? p.role === 'district' && p.organizationId === districtId : adminOf(p).includes(districtId)) return;
  throw new ForbiddenError("Only an admin or the district's own admins change a district's settings");
}

/** A cohort or a district, as what keeps its own settings (planning questions, a catalog of partners). */
export type SettingsOwner = { districtId: string } | { cohortId: string };

/**
 * The owner's name, if the principal may change its settings: an admin, a cohort's coordinators, a
 * district's admins and key. One it cannot see is a 404, one it sees but does not keep a 403.
 */
export async function assertKeepsSettingsOf(db: Db, p: Principal, owner: SettingsOwner): Promise<{ name: string }> {
  if ('cohortId' in owner) {
    await visibleCohortId(db, p, owner.cohortId);
    assertCoordinates(p, owner.cohortId);
    return db.cohort.findUniqueOrThrow({ where: { id: owner.cohortId }, select: { name: true } });
  }
  const district = await db.organization.findFirst({ where: { AND: [{ id: owner.districtId, kind: 'district' }, organizationScope(p)] } });
  if (!district) throw new NotFoundError(`District ${owner.districtId} does not exist`);
  assertManagesDistrict(p, district.id);
  return district;
}

/** The cohorts and districts whose own settings (school calendar, planning questions) a person may change (the same rules as above, as queries). */
export function ownSettingsScope(p: PersonPrincipal): { cohorts: Prisma.CohortWhereInput; districts: Prisma.OrganizationWhereInput } {
  if (p.isAdmin) return { cohorts: {}, districts: { kind: 'district' } };
  return { cohorts: { id: { in: coordinatedBy(p) } }, districts: { kind: 'district', id: { in: adminOf(p) } } };
}

/**
 * An organization's own affairs (its sign-in providers, its webhooks): the installation's admin, the
 * organization's key, its admins.
 */
export function assertRunsOrganization(p: Principal, organizationId: string, what: string) {
  if (seesEverything(p)) return;
  if (p.kind === 'key' ? p.organizationId === organizationId : adminOf(p).includes(organizationId)) return;
  throw new ForbiddenError(`Only the installation's admin, the organization's key or its admins ${what}`);
}

/** Whose a webhook subscription is: an organization's, a cohort's, or the installation's. */
export type WebhookOwner = { organizationId: string } | { cohortId: string } | { installation: true };

/**
 * The owner's name, if the principal keeps its webhooks: the installation's are its admins'; a
 * cohort's, its coordinators' (and its key's); an organization's, as `assertRunsOrganization`.
 * An owner it cannot see is a 404, one it sees but does not keep a 403. A subscription hears only
 * of the partnerships its owner sees (core/events.ts), whoever made it.
 */
export async function assertKeepsWebhooksOf(db: Db, p: Principal, owner: WebhookOwner): Promise<{ name: string }> {
  if ('installation' in owner) {
    assertRunsInstallation(p, "subscribe to every partnership's events");
    return { name: 'the installation' };
  }
  if ('cohortId' in owner) {
    await visibleCohortId(db, p, owner.cohortId);
    assertCoordinates(p, owner.cohortId);
    return db.cohort.findUniqueOrThrow({ where: { id: owner.cohortId }, select: { name: true } });
  }
  const org = UUID.test(owner.organizationId)
    ? await db.organization.findFirst({
        where: { AND: [{ id: owner.organizationId }, organizationScope(p)] },
        select: { id: true, name: true },
      })
    : null;
  if (!org) throw new NotFoundError(`Organization ${owner.organizationId} does not exist`);
  assertRunsOrganization(p, org.id, "subscribe to its partnerships' events");
  return org;
}

/** The webhook subscriptions a principal keeps (the same rules as `assertKeepsWebhooksOf`, as a query). */
export function webhookScope(p: Principal): Prisma.WebhookSubscriptionWhereInput {
  if (seesEverything(p)) return {};
  const cohorts = coordinatedBy(p);
  const organizations = p.kind === 'key' ? (p.organizationId ? [p.organizationId] : []) : adminOf(p);
  return {
    OR: [
      ...(cohorts.length ? [{ cohortId: { in: cohorts } }] : []),
      ...(organizations.length ? [{ organizationId: { in: organizations } }] : []),
      { id: NOTHING },
    ],
  };
}

import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { MemberRole, Prisma } from '../../generated/prisma/client.js';
import { ConflictError, NotFoundError } from '../../lib/errors.js';
import { sendUpdate } from '../../lib/temporal/updates.js';
import { parseOrThrow } from '../../lib/validation.js';
import { partnershipWorkflowId } from '../../workflows/ids.js';
import { handOverUpdate } from '../../workflows/partnerships/messages.js';
import type { CoreDeps } from '../deps.js';
import { actorColumns } from '../events.js';
import { email, line, text } from '../fields.js';
import { actorOf, type Principal } from './principal.js';
import { assertManages, partnershipScope } from './rights.js';

/**
 * A partnership's roster after it was created: members added, their roles changed, removed, and
 * someone who leaves handing their open work to another member. Those who manage the partnership do
 * it (api/people/rights.ts); a partnership keeps at least one lead.
 */

export const memberRole = z.enum(['executive_sponsor', 'district_lead', 'partner_lead', 'participant']);
export const notificationLevel = z.enum(['all', 'essential']);
export const memberSide = z.enum(['district', 'partner']).meta({
  description: "The side the member is on in this partnership; by default the partner's for a partner lead, else the district's.",
});

/** A member's side: as given, else the partner's for the partner's lead and the district's for everyone else. */
export const sideOf = (m: { side?: 'district' | 'partner' | undefined; role: MemberRole }) =>
  m.side ?? (m.role === 'partner_lead' ? 'partner' : 'district');

export const newMember = z
  .object({
    name: line(200),
    email,
    role: memberRole,
    side: memberSide.optional(),
    notifications: notificationLevel.default('all'),
  })
  .strict();
export type NewMember = z.infer<typeof newMember>;

export const handOverBody = z.object({ to: z.uuid(), reason: text(1000).optional(), leaves: z.boolean().default(false) }).strict();

export const LEADS: readonly MemberRole[] = ['district_lead', 'partner_lead'];

/**
 * Makes people members, in a few statements whatever their number. Someone new to Tandem is created
 * with the name and address given; someone Tandem knows keeps their name, address and organizations:
 * naming a person in a partnership makes them a member of it, nothing more (no organization owns
 * them for it: staff roles are granted explicitly, core/people/staff.ts).
 */
export async function enrolMembers(
  tx: Prisma.TransactionClient,
  partnership: { id: string; districtId: string; partnerId: string },
  members: NewMember[],
) {
  const created = await tx.person.createManyAndReturn({
    data: members.map((m) => ({ email: m.email, name: m.name })),
    skipDuplicates: true,
  });
  const fresh = new Set(created.map((p) => p.email));
  const known = members.filter((m) => !fresh.has(m.email)).map((m) => m.email);
  const people = new Map(
    [...created, ...(known.length ? await tx.person.findMany({ where: { email: { in: known } } }) : [])].map((p) => [p.email, p]),
  );
  const personOf = (m: NewMember) => {
    const person = people.get(m.email);
    if (!person) throw new Error(`${m.email} was neither created nor found`);
    return person;
  };
  const enrolled = await tx.partnershipMember.createManyAndReturn({
    data: members.map((m) => ({
      partnershipId: partnership.id,
      personId: personOf(m).id,
      role: m.role,
      side: sideOf(m),
      notifications: m.notifications,
    })),
    skipDuplicates: true,
  });
  if (enrolled.length < members.length) {
    const added = new Set(enrolled.map((e) => e.personId));
    // Someone already a member, or listed twice.
    const twice =
      members.find((m) => !added.has(personOf(m).id)) ?? members.find((m, i) => members.findIndex((o) => o.email === m.email) !== i);
    throw new ConflictError(`${twice?.email ?? 'someone'} is already a member of this partnership`);
  }
  const byPerson = new Map(enrolled.map((e) => [e.personId, e]));
  return members.map((m) => {
    const person = personOf(m);
    return { ...(byPerson.get(person.id) as (typeof enrolled)[number]), person };
  });
}

/** Makes someone a member (see enrolMembers). */
export async function enrolMember(
  tx: Prisma.TransactionClient,
  partnership: { id: string; districtId: string; partnerId: string },
  m: NewMember,
) {
  const [member] = await enrolMembers(tx, partnership, [m]);
  return member as NonNullable<typeof member>;
}

type Deps = Pick<CoreDeps, 'db' | 'temporal'>;

async function managed(deps: Deps, p: Principal, id: string, what: string) {
  const partnership = await deps.db.partnership.findFirst({
    where: { AND: [{ id }, partnershipScope(p)] },
    select: { id: true, districtId: true, partnerId: true, cohortId: true, status: true },
  });
  if (!partnership) throw new NotFoundError(`Partnership ${id} does not exist`);
  await assertManages(deps.db, p, partnership, what);
  if (partnership.status === 'completed' || partnership.status === 'ended_early')
    throw new ConflictError('The partnership has ended; its roster no longer changes');
  return partnership;
}

async function memberOf(tx: Prisma.TransactionClient, partnershipId: string, personId: string) {
  const m = await tx.partnershipMember.findUnique({
    where: { partnershipId_personId: { partnershipId, personId } },
    include: { person: true },
  });
  if (!m) throw new NotFoundError(`Person ${personId} is not a member of partnership ${partnershipId}`);
  return m;
}

/**
 * Takes the partnership's row lock for the rest of the transaction: roster changes that check, then
 * write (a lead left?) run one after another, so two managers removing the two last leads at once
 * cannot both succeed.
 */
export async function lockRoster(tx: Prisma.TransactionClient, partnershipId: string) {
  await tx.$queryRaw`SELECT id FROM partnership WHERE id = ${partnershipId}::uuid FOR UPDATE`;
}

/** Refuses to leave the partnership without a district or partner lead. */
export async function keepsALead(tx: Prisma.TransactionClient, partnershipId: string, personId: string, what: string) {
  const others = await tx.partnershipMember.count({ where: { partnershipId, role: { in: [...LEADS] }, personId: { not: personId } } });
  if (others === 0) throw new ConflictError(`A partnership keeps at least one district or partner lead: name another before you ${what}`);
}

const record = (tx: Prisma.TransactionClient, partnershipId: string, type: string, p: Principal, data: Prisma.InputJsonObject) =>
  tx.partnershipEvent.create({
    data: { partnershipId, idempotencyKey: `${type}:${partnershipId}:${randomUUID()}`, type, ...actorColumns(actorOf(p)), data },
  });

/** A member as the API answers it. */
export const memberJson = (m: {
  personId: string;
  role: string;
  side: string;
  notifications: string;
  person: { name: string; email: string };
}) => ({
  personId: m.personId,
  name: m.person.name,
  email: m.person.email,
  role: m.role,
  side: m.side,
  notifications: m.notifications,
});

export async function addMember(deps: Deps, p: Principal, id: string, input: z.input<typeof newMember>) {
  const m = parseOrThrow(newMember, input, 'member');
  const partnership = await managed(deps, p, id, 'add members');
  return deps.db.$transaction(async (tx) => {
    const member = await enrolMember(tx, partnership, m);
    await record(tx, id, 'member.added', p, { personId: member.personId, role: member.role });
    return member;
  });
}

export async function changeMemberRole(deps: Deps, p: Principal, id: string, personId: string, input: MemberRole) {
  const role = parseOrThrow(memberRole, input, 'role');
  await managed(deps, p, id, "change a member's role");
  return deps.db.$transaction(async (tx) => {
    await lockRoster(tx, id);
    const m = await memberOf(tx, id, personId);
    if (m.role === role) return m;
    if (LEADS.includes(m.role) && !LEADS.includes(role)) await keepsALead(tx, id, personId, `change ${m.person.name}'s role`);
    const changed = await tx.partnershipMember.update({
      where: { partnershipId_personId: { partnershipId: id, personId }, role: m.role },
      data: { role },
      include: { person: true },
    });
    await record(tx, id, 'member.role_changed', p, { personId, from: m.role, to: role });
    return changed;
  });
}

export async function removeMember(deps: Deps, p: Principal, id: string, personId: string) {
  await managed(deps, p, id, 'remove members');
  await deps.db.$transaction(async (tx) => {
    await lockRoster(tx, id);
    const m = await memberOf(tx, id, personId);
    const where = { partnershipId: id, ownerId: personId, status: { in: ['open' as const, 'overdue' as const] } };
    const open = (await tx.commitment.count({ where })) + (await tx.evidenceRequest.count({ where }));
    if (open > 0) {
      throw new ConflictError(
        `${m.person.name} still owns ${open} open commitment(s) or evidence request(s): hand them over first (POST .../handover)`,
      );
    }
    if (LEADS.includes(m.role)) await keepsALead(tx, id, personId, `remove ${m.person.name}`);
    await tx.partnershipMember.delete({ where: { partnershipId_personId: { partnershipId: id, personId } } });
    await record(tx, id, 'member.removed', p, { personId, role: m.role });
  });
}

/** Through the partnership's workflow, which records the hand-over and tells both people. */
export async function handOver(deps: Deps, p: Principal, id: string, fromId: string, input: z.input<typeof handOverBody>) {
  const request = parseOrThrow(handOverBody, input, 'hand-over');
  await managed(deps, p, id, "hand a member's work over");
  const [from, to] = await Promise.all([memberOf(deps.db, id, fromId), memberOf(deps.db, id, request.to)]);
  if (from.personId === to.personId) throw new ConflictError('Hand the work over to another member');
  if (request.leaves && LEADS.includes(from.role)) await keepsALead(deps.db, id, fromId, `let ${from.person.name} leave`);
  return sendUpdate(deps.temporal, partnershipWorkflowId(id), 'The partnership has ended; its roster no longer changes', (h) =>
    h.executeUpdate(handOverUpdate, {
      args: [{ fromId, toId: to.personId, leaves: request.leaves, ...(request.reason && { reason: request.reason }), actor: actorOf(p) }],
    }),
  );
}

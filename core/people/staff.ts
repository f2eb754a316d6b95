import { z } from 'zod';
import { ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { parseOrThrow } from '../../lib/validation.js';
import { email, line } from '../fields.js';
import { type MailDeps, requestMail } from '../mail/send.js';
import { staffGranted } from '../mail/templates.js';
import { pages } from '../pages.js';
import { recordAudit } from './audit.js';
import type { Principal } from './principal.js';
import { organizationScope } from './rights.js';
import { tellPerson } from './tell.js';

/**
 * Staff of an organization, granted explicitly: by the installation's admin, the organization's own
 * key, or one of its admins. Staff may be acted for by their organization's key (recorded as such),
 * and its admins manage its partnerships; nothing more. Nobody below the installation's admin makes
 * an admin staff of anything or takes it away. Every grant and revocation is audited, and the person told.
 */

export const grantStaffBody = z
  .object({
    email,
    name: line(200).optional().meta({ description: 'Needed only for someone new to Tandem.' }),
    isAdmin: z.boolean().default(false).meta({ description: 'An admin of the organization manages its partnerships.' }),
  })
  .strict();

const isInstallationAdmin = (p: Principal) => (p.kind === 'key' ? p.role === 'admin' : p.isAdmin);

/** An organization's staff roles: the installation's admin, the organization's own key, its admins. */
function assertManagesStaff(p: Principal, organizationId: string) {
  if (isInstallationAdmin(p)) return;
  if (p.kind === 'key' ? p.organizationId === organizationId : p.staff.some((s) => s.organizationId === organizationId && s.isAdmin))
    return;
  throw new ForbiddenError("Only the installation's admin, the organization's key or its admins grant its staff roles");
}

type Deps = MailDeps;

async function organization(deps: Deps, p: Principal, id: string) {
  const org = await deps.db.organization.findFirst({ where: { AND: [{ id }, organizationScope(p)] }, select: { id: true, name: true } });
  if (!org) throw new NotFoundError(`Organization ${id} does not exist`);
  assertManagesStaff(p, org.id);
  return org;
}

export async function grantStaff(deps: Deps, p: Principal, organizationId: string, input: z.input<typeof grantStaffBody>) {
  const body = parseOrThrow(grantStaffBody, input, 'request');
  const org = await organization(deps, p, organizationId);
  const { person, changed } = await deps.db.$transaction(async (tx) => {
    let person = await tx.person.findUnique({ where: { email: body.email } });
    if (!person) {
      if (!body.name)
        throw new ValidationError('Someone new to Tandem needs a name', [{ path: 'name', message: 'is required for someone new' }]);
      person = await tx.person.create({ data: { email: body.email, name: body.name } });
      await recordAudit(tx, p, { action: 'person.created', subjectKind: 'person', subjectId: person.id, data: { email: body.email } });
    }
    if (person.isAdmin && !isInstallationAdmin(p)) throw new ForbiddenError("Nobody but the installation's admin changes an admin's roles");
    const before = await tx.staff.findUnique({ where: { personId_organizationId: { personId: person.id, organizationId: org.id } } });
    if (before?.isAdmin === body.isAdmin) return { person, changed: false };
    await tx.staff.upsert({
      where: { personId_organizationId: { personId: person.id, organizationId: org.id } },
      create: { personId: person.id, organizationId: org.id, isAdmin: body.isAdmin },
      update: { isAdmin: body.isAdmin },
    });
    await recordAudit(tx, p, {
      action: 'staff.granted',
      subjectKind: 'person',
      subjectId: person.id,
      data: { organizationId: org.id, isAdmin: body.isAdmin, ...(before && { wasAdmin: before.isAdmin }) },
    });
    return { person, changed: true };
  });
  if (changed) {
    const link = new URL(pages.home(), deps.publicUrl).toString();
    await tellPerson(requestMail(deps), person, {
      messageKey: `staff:${org.id}:${person.id}:${body.isAdmin ? 'admin' : 'staff'}:${Date.now()}`,
      template: 'staff-granted',
      target: pages.home(),
      render: () => staffGranted({ organizationName: org.name, isAdmin: body.isAdmin, by: p.name, link }),
    });
  }
  return { organizationId: org.id, personId: person.id, isAdmin: body.isAdmin };
}

export async function revokeStaff(deps: Deps, p: Principal, organizationId: string, personId: string) {
  const org = await organization(deps, p, organizationId);
  await deps.db.$transaction(async (tx) => {
    const person = await tx.person.findUnique({ where: { id: personId }, select: { isAdmin: true } });
    if (person?.isAdmin && !isInstallationAdmin(p))
      throw new ForbiddenError("Nobody but the installation's admin changes an admin's roles");
    const { count } = await tx.staff.deleteMany({ where: { personId, organizationId: org.id } });
    if (count === 0) throw new NotFoundError(`Person ${personId} is not staff of ${org.name}`);
    await recordAudit(tx, p, { action: 'staff.revoked', subjectKind: 'person', subjectId: personId, data: { organizationId: org.id } });
  });
}

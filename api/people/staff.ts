import { z } from 'zod';
import { organizationScope } from '../../core/people/rights.js';
import { grantStaff, grantStaffBody, revokeStaff } from '../../core/people/staff.js';
import { NotFoundError } from '../../lib/errors.js';
import { route, tagged } from '../http/route.js';

const staffSchema = z.object({ organizationId: z.uuid(), personId: z.uuid(), isAdmin: z.boolean() }).meta({ id: 'StaffRole' });

/** Staff roles of an organization, granted explicitly (core/people/staff.ts). */
export const staffRoutes = tagged('People', [
  route('POST /organizations/:id/staff', {
    operationId: 'grantStaff',
    summary: 'Make someone staff (or an admin) of an organization',
    description:
      "The installation's admin, the organization's own key, or one of its admins. Staff may be acted for by their organization's key (the record says so); an organization's admins manage its partnerships. The person is told by mail; the grant is in the audit log. Nobody below the installation's admin changes an admin's roles.",
    access: 'member',
    body: grantStaffBody,
    errors: [403, 404],
    responses: { 201: { description: 'The staff role', schema: staffSchema } },
    handle: async ({ params, body, caller, deps }) => ({ body: await grantStaff(deps, caller, params.id, body) }),
  }),
  route('GET /organizations/:id/staff', {
    operationId: 'listStaff',
    summary: "List an organization's staff",
    access: 'member',
    errors: [404],
    responses: {
      200: {
        description: 'Its staff',
        schema: z.object({ items: z.array(staffSchema.extend({ name: z.string(), email: z.string() })) }),
      },
    },
    async handle({ params, caller, deps }) {
      const org = await deps.db.organization.findFirst({ where: { AND: [{ id: params.id }, organizationScope(caller)] } });
      if (!org) throw new NotFoundError(`Organization ${params.id} does not exist`);
      const rows = await deps.db.staff.findMany({
        where: { organizationId: org.id },
        include: { person: true },
        orderBy: { createdAt: 'asc' },
      });
      return {
        body: {
          items: rows.map((s) => ({
            organizationId: s.organizationId,
            personId: s.personId,
            isAdmin: s.isAdmin,
            name: s.person.name,
            email: s.person.email,
          })),
        },
      };
    },
  }),
  route('POST /organizations/:id/staff/:personId/revoke', {
    operationId: 'revokeStaff',
    summary: "End someone's staff role in an organization",
    access: 'member',
    errors: [403, 404],
    responses: { 204: { description: 'No longer staff' } },
    async handle({ params, caller, deps }) {
      await revokeStaff(deps, caller, params.id, params.personId);
      return { body: null };
    },
  }),
]);

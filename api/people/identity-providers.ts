import { z } from 'zod';
import { approveProvider, newProviderBody, providerJson, registerProvider, removeProvider } from '../../core/people/identity-providers.js';
import { organizationScope } from '../../core/people/rights.js';
import { NotFoundError } from '../../lib/errors.js';
import { route, tagged } from '../http/route.js';

const providerSchema = z
  .object({
    id: z.uuid(),
    organizationId: z.uuid(),
    callbackPath: z.string().meta({ description: "Register Tandem's address followed by this at the provider, as its redirect URI." }),
    name: z.string(),
    issuer: z.string(),
    domains: z.array(z.string()),
    approvedAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'IdentityProvider' });

/** An organization's own sign-in provider (core/people/identity-providers.ts). */
export const identityProviderRoutes = tagged('Access', [
  route('POST /organizations/:id/identity-providers', {
    operationId: 'registerIdentityProvider',
    summary: "Register an organization's own sign-in provider (OpenID Connect)",
    description:
      "By the installation's admin, the organization's key or its admins. It signs in nobody until the installation's admin approves its domains; then it signs in the people Tandem knows whose address is in them, and nobody else. The client secret is never shown again.",
    access: 'member',
    body: newProviderBody,
    errors: [403, 404],
    responses: { 201: { description: 'Registered, awaiting approval', schema: providerSchema } },
    handle: async ({ params, body, caller, deps }) => ({
      body: providerJson(await registerProvider(deps, caller, params.id, body)),
    }),
  }),
  route('GET /organizations/:id/identity-providers', {
    operationId: 'listIdentityProviders',
    summary: "List an organization's sign-in providers",
    access: 'member',
    errors: [404],
    responses: { 200: { description: 'Its providers', schema: z.object({ items: z.array(providerSchema) }) } },
    async handle({ params, caller, deps }) {
      const org = await deps.db.organization.findFirst({ where: { AND: [{ id: params.id }, organizationScope(caller)] } });
      if (!org) throw new NotFoundError(`Organization ${params.id} does not exist`);
      const rows = await deps.db.identityProvider.findMany({ where: { organizationId: org.id }, orderBy: { createdAt: 'asc' } });
      return { body: { items: rows.map(providerJson) } };
    },
  }),
  route('POST /identity-providers/:id/approve', {
    operationId: 'approveIdentityProvider',
    summary: "Approve a sign-in provider's domains",
    description: "The installation's admin only. Refused when one of its domains belongs to another provider already.",
    access: 'admin',
    errors: [404, 409],
    responses: { 200: { description: 'Approved: it signs in from now on', schema: providerSchema } },
    handle: async ({ params, caller, deps }) => ({
      body: providerJson(await approveProvider(deps, caller, params.id, deps.identityDomains)),
    }),
  }),
  route('POST /identity-providers/:id/remove', {
    operationId: 'removeIdentityProvider',
    summary: 'Remove a sign-in provider',
    access: 'member',
    errors: [403, 404],
    responses: { 204: { description: 'Removed: it signs nobody in any more' } },
    async handle({ params, caller, deps }) {
      await removeProvider(deps, caller, params.id);
      return { body: null };
    },
  }),
]);

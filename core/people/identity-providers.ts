import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { OidcProvider, TandemAuth } from '../../lib/auth/better-auth.js';
import type { Sealer } from '../../lib/auth/sealed.js';
import type { Db } from '../../lib/db/client.js';
import { ConflictError, NotFoundError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { parseOrThrow } from '../../lib/validation.js';
import { line } from '../fields.js';
import { recordAudit } from './audit.js';
import type { Principal } from './principal.js';
import { assertRunsInstallation, assertRunsOrganization, organizationScope } from './rights.js';

/**
 * Sign-in providers belong to an organization. A district (its key or its admins) registers its
 * own OpenID Connect provider with the address domains it vouches for; the installation's admin
 * approves it (a domain belongs to one provider, and a district cannot claim another's or a public
 * mail domain); from then on it signs in the people Tandem knows whose address is in those domains,
 * and nobody else. Every registration, approval and removal is in the audit log.
 */

const domain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{4,253}$)([a-z0-9](-?[a-z0-9])*\.)+[a-z]{2,}$/, 'must be an address domain such as lakeside.k12.example');

export const newProviderBody = z
  .object({
    name: line(100).meta({ description: 'How the sign-in page names it, e.g. "Lakeside USD account".' }),
    issuer: z
      .url({ protocol: /^https?$/ })
      .max(500)
      .meta({ description: 'The issuer; its discovery document is at /.well-known/openid-configuration.' }),
    clientId: line(500),
    clientSecret: line(1000),
    domains: z.array(domain).min(1).max(20).meta({ description: 'The address domains it vouches for.' }),
  })
  .strict();

export const providerJson = (p: {
  id: string;
  organizationId: string;
  slug: string;
  name: string;
  issuer: string;
  domains: string[];
  approvedAt: Date | null;
  createdAt: Date;
}) => ({
  id: p.id,
  organizationId: p.organizationId,
  callbackPath: `/auth/callback/${p.slug}`,
  name: p.name,
  issuer: p.issuer,
  domains: p.domains,
  approvedAt: p.approvedAt?.toISOString() ?? null,
  createdAt: p.createdAt.toISOString(),
});

/** What a provider's client secret is sealed for (lib/auth/sealed.ts). */
export const CLIENT_SECRET = 'identity_provider.client_secret';

export async function registerProvider(
  deps: { db: Db; sealer: Sealer },
  p: Principal,
  organizationId: string,
  input: z.input<typeof newProviderBody>,
) {
  const body = parseOrThrow(newProviderBody, input, 'request');
  const org = await deps.db.organization.findFirst({
    where: { AND: [{ id: organizationId }, organizationScope(p)] },
    select: { id: true },
  });
  if (!org) throw new NotFoundError(`Organization ${organizationId} does not exist`);
  assertRunsOrganization(p, org.id, 'register its sign-in provider');
  return deps.db.$transaction(async (tx) => {
    const row = await tx.identityProvider.create({
      data: {
        ...body,
        clientSecret: deps.sealer.seal(body.clientSecret, CLIENT_SECRET),
        domains: [...new Set(body.domains)],
        organizationId: org.id,
        slug: `org-${randomBytes(6).toString('hex')}`,
      },
    });
    await recordAudit(tx, p, {
      action: 'identity_provider.registered',
      subjectKind: 'organization',
      subjectId: org.id,
      data: { providerId: row.id, issuer: row.issuer, domains: row.domains },
    });
    return row;
  });
}

/** The installation's admin approves a provider's domains: none may be another provider's. */
export async function approveProvider(deps: { db: Db }, p: Principal, providerId: string, installationDomains: string[]) {
  assertRunsInstallation(p, "approve a sign-in provider's domains");
  return deps.db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('identity_provider approvals'))`;
    const row = await tx.identityProvider.findUnique({ where: { id: providerId } });
    if (!row) throw new NotFoundError(`Identity provider ${providerId} does not exist`);
    const taken = await tx.identityProvider.findMany({
      where: { id: { not: row.id }, approvedAt: { not: null }, domains: { hasSome: row.domains } },
      select: { domains: true },
    });
    const clash = row.domains.filter((d) => installationDomains.includes(d) || taken.some((t) => t.domains.includes(d)));
    if (clash.length)
      throw new ConflictError(`${clash.join(', ')} already belong${clash.length === 1 ? 's' : ''} to another sign-in provider`);
    const approved = await tx.identityProvider.update({ where: { id: row.id }, data: { approvedAt: new Date() } });
    await recordAudit(tx, p, {
      action: 'identity_provider.approved',
      subjectKind: 'organization',
      subjectId: row.organizationId,
      data: { providerId: row.id, domains: row.domains },
    });
    return approved;
  });
}

export async function removeProvider(deps: { db: Db }, p: Principal, providerId: string) {
  const row = await deps.db.identityProvider.findFirst({ where: { id: providerId, organization: organizationScope(p) } });
  if (!row) throw new NotFoundError(`Identity provider ${providerId} does not exist`);
  assertRunsOrganization(p, row.organizationId, 'register its sign-in provider');
  await deps.db.$transaction(async (tx) => {
    await tx.identityProvider.delete({ where: { id: row.id } });
    await recordAudit(tx, p, {
      action: 'identity_provider.removed',
      subjectKind: 'organization',
      subjectId: row.organizationId,
      data: { providerId: row.id },
    });
  });
}

/**
 * Brings sign-in up to date with the approved providers (one query; Better Auth is rebuilt only when
 * they changed), so that every API replica uses a provider from the request after its approval. A
 * provider whose client secret no key of this process opens (AUTH_SECRET changed without
 * AUTH_SECRET_PREVIOUS) is left out and named in the log: it could sign nobody in, and the sign-in
 * page, by link or by the other providers, must not fail with it.
 */
export async function syncProviders({
  db,
  auth,
  sealer,
  logger,
}: {
  db: Db;
  auth: TandemAuth;
  sealer: Sealer;
  logger: Logger;
}): Promise<void> {
  const [found] = await db.$queryRaw<{ version: string }[]>`
    SELECT coalesce(string_agg(id::text || ':' || extract(epoch FROM updated_at)::text, ',' ORDER BY id), '') AS version
    FROM identity_provider WHERE approved_at IS NOT NULL`;
  const version = found?.version ?? '';
  if (version === auth.organizationProvidersVersion()) return;
  const rows = await db.identityProvider.findMany({ where: { approvedAt: { not: null } }, orderBy: { createdAt: 'asc' } });
  const providers: OidcProvider[] = rows.flatMap((r) => {
    try {
      const clientSecret = sealer.open(r.clientSecret, CLIENT_SECRET);
      return [{ providerId: r.slug, name: r.name, issuer: r.issuer, clientId: r.clientId, clientSecret, domains: r.domains }];
    } catch (err) {
      logger.error({ err, identityProvider: r.id }, `sign-in provider ${r.name} is left out: its client secret does not open`);
      return [];
    }
  });
  auth.setOrganizationProviders(providers, version);
}

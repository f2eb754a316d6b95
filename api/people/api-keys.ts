import { z } from 'zod';
import { line } from '../../core/fields.js';
import { recordAudit } from '../../core/people/audit.js';
import type { ApiKey, Prisma } from '../../generated/prisma/client.js';
import { API_KEY_CACHE_MS, ApiRole, createApiKey, forgetApiKey } from '../../lib/auth/api-keys.js';
import { ConflictError, NotFoundError } from '../../lib/errors.js';
import { keyset, page, pageQuery, pageSchema } from '../../lib/pagination.js';
import { route, tagged } from '../http/route.js';

const apiRole = z.enum(ApiRole);
const apiKeySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    role: apiRole,
    prefix: z.string(),
    cohortId: z.uuid().nullable(),
    organizationId: z.uuid().nullable(),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: 'ApiKey' });

const apiKeyJson = (k: ApiKey) => ({
  id: k.id,
  name: k.name,
  role: k.role,
  prefix: k.prefix,
  cohortId: k.cohortId,
  organizationId: k.organizationId,
  createdAt: k.createdAt.toISOString(),
  revokedAt: k.revokedAt?.toISOString() ?? null,
});

export const apiKeyRoutes = tagged('Access', [
  route('POST /api-keys', {
    operationId: 'createApiKey',
    summary: 'Create an API key',
    description:
      'The secret is in the response and nowhere else: only its hash is stored. A coordinator key needs a cohortId; a district or partner key an organizationId of that kind.',
    access: 'admin',
    body: z
      .object({
        name: line(200),
        role: apiRole,
        cohortId: z.uuid().optional(),
        organizationId: z.uuid().optional(),
      })
      .strict(),
    responses: { 201: { description: 'Created; `secret` is shown this once' } },
    async handle({ body, caller, deps }) {
      const { key, secret } = await createApiKey(deps.db, body);
      await recordAudit(deps.db, caller, {
        action: 'api_key.created',
        subjectKind: 'api_key',
        subjectId: key.id,
        data: { name: key.name, role: key.role, cohortId: key.cohortId, organizationId: key.organizationId },
      });
      return { location: `/api-keys/${key.id}`, body: { ...apiKeyJson(key), secret } };
    },
  }),
  route('GET /api-keys', {
    operationId: 'listApiKeys',
    summary: 'List API keys',
    access: 'admin',
    query: pageQuery(['createdAt', 'name'], 'createdAt'),
    responses: { 200: { description: 'One page of keys, without secrets', schema: pageSchema(apiKeySchema) } },
    async handle({ query, deps }) {
      const k = keyset(query);
      const rows = await deps.db.apiKey.findMany({ where: k.where as Prisma.ApiKeyWhereInput, orderBy: k.orderBy, take: k.take });
      return { body: page(rows, query, k.field, apiKeyJson) };
    },
  }),
  route('POST /api-keys/:id/revoke', {
    operationId: 'revokeApiKey',
    summary: 'Revoke an API key',
    description: `The key stops working at once on the API that revokes it and within ${API_KEY_CACHE_MS / 1000} seconds on other replicas (they remember live keys that long); its calendar feeds stop at once. Revoking twice changes nothing. A key cannot revoke itself, so that the last admin cannot lock everyone out by mistake.`,
    access: 'admin',
    errors: [404, 409],
    responses: { 200: { description: 'The revoked key', schema: apiKeySchema } },
    async handle({ params, caller, deps }) {
      if (params.id === caller.id) throw new ConflictError('A key cannot revoke itself; revoke it with another admin key');
      await deps.db.$transaction(async (tx) => {
        const { count } = await tx.apiKey.updateMany({ where: { id: params.id, revokedAt: null }, data: { revokedAt: new Date() } });
        if (count) await recordAudit(tx, caller, { action: 'api_key.revoked', subjectKind: 'api_key', subjectId: params.id });
      });
      forgetApiKey(params.id);
      const key = await deps.db.apiKey.findUnique({ where: { id: params.id } });
      if (!key) throw new NotFoundError(`API key ${params.id} does not exist`);
      return { body: apiKeyJson(key) };
    },
  }),
]);

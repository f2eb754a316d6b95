import { z } from 'zod';
import { extendEvidenceRequest, submitEvidence, waiveEvidenceRequest } from '../../core/deadlines/commands.js';
import { createEvidenceRequest } from '../../core/deadlines/create.js';
import { createEvidenceRequestBody, extendDeadlineBody, reasonBody, submitEvidenceBody } from '../../core/deadlines/schemas.js';
import { uuidParam } from '../../core/fields.js';
import { visibleOwner, visiblePartnershipId } from '../../core/people/rights.js';
import type { EvidenceItem, EvidenceRequest, Prisma } from '../../generated/prisma/client.js';
import { keyset, page, pageQuery, pageSchema } from '../../lib/pagination.js';
import { type EvidenceStatus, evidenceStatusQuery } from '../../workflows/deadlines/messages.js';
import { evidenceWorkflowId } from '../../workflows/ids.js';
import { route } from '../http/route.js';
import { extensionJson, liveDeadlineJson } from './deadline.js';

const requestJson = (r: EvidenceRequest) => ({
  id: r.id,
  partnershipId: r.partnershipId,
  reviewId: r.reviewId,
  ownerId: r.ownerId,
  description: r.description,
  kinds: r.kinds,
  dueAt: r.dueAt.toISOString(),
  status: r.status,
  closedAt: r.closedAt?.toISOString() ?? null,
  closeNote: r.closeNote,
});

const itemJson = (i: EvidenceItem) => ({
  id: i.id,
  kind: i.kind,
  link: i.link,
  text: i.text,
  submittedById: i.submittedById,
  submittedAt: i.submittedAt.toISOString(),
});

const evidenceRequestSchema = z
  .object({
    id: z.uuid(),
    partnershipId: z.uuid(),
    reviewId: z.uuid().nullable(),
    ownerId: z.uuid(),
    description: z.string(),
    kinds: z.array(z.string()),
    dueAt: z.string(),
    status: z.enum(['open', 'overdue', 'submitted', 'waived']),
    closedAt: z.string().nullable(),
    closeNote: z.string().nullable(),
  })
  .meta({ id: 'EvidenceRequest' });

const listQuery = pageQuery(['dueAt', 'createdAt'], 'dueAt').extend({
  status: z.enum(['open', 'overdue', 'submitted', 'waived']).optional(),
  ownerId: z.uuid().optional(),
});

const changed = { 200: { description: 'The evidence request after the change', schema: evidenceRequestSchema } };

/**
 * Evidence requests: what a partnership asked to see (observations, survey results, minutes...),
 * tracked by the deadline workflow until the first item arrives or it is waived. Items sent after
 * that are kept as further sources of evidence.
 */
export const evidenceRoutes = [
  route({
    method: 'post',
    path: '/partnerships/:id/evidence-requests',
    operationId: 'createEvidenceRequest',
    summary: 'Request evidence',
    tag: 'Evidence',
    access: 'member',
    params: uuidParam,
    body: createEvidenceRequestBody,
    errors: [404, 409, 503],
    responses: { 201: { description: 'Created; its deadline workflow is running', schema: evidenceRequestSchema } },
    async handle({ params, body, caller, deps }) {
      const request = await createEvidenceRequest(deps, caller, params.id, body);
      return { status: 201, location: `/evidence-requests/${request.id}`, body: requestJson(request) };
    },
  }),
  route({
    method: 'get',
    path: '/partnerships/:id/evidence-requests',
    operationId: 'listEvidenceRequests',
    summary: "List a partnership's evidence requests",
    tag: 'Evidence',
    access: 'member',
    params: uuidParam,
    query: listQuery,
    errors: [404],
    responses: { 200: { description: 'One page of evidence requests', schema: pageSchema(evidenceRequestSchema) } },
    async handle({ params, query, caller, deps }) {
      const id = await visiblePartnershipId(deps.db, caller, params.id);
      const k = keyset(query);
      const rows = await deps.db.evidenceRequest.findMany({
        where: { AND: [{ partnershipId: id, status: query.status, ownerId: query.ownerId }, k.where as Prisma.EvidenceRequestWhereInput] },
        orderBy: k.orderBy,
        take: k.take,
      });
      return { body: page(rows, query, k.field, requestJson) };
    },
  }),
  route({
    method: 'get',
    path: '/evidence-requests/:id',
    operationId: 'getEvidenceRequest',
    summary: 'Get an evidence request',
    description: 'With the items received, its extensions and, while it is open, the next notice its workflow will send.',
    tag: 'Evidence',
    access: 'member',
    params: uuidParam,
    errors: [404],
    responses: { 200: { description: 'The evidence request' } },
    async handle({ params, caller, deps }) {
      await visibleOwner(deps.db, caller, 'evidence request', params.id);
      const r = await deps.db.evidenceRequest.findUniqueOrThrow({
        where: { id: params.id },
        include: { items: { orderBy: { submittedAt: 'asc' } }, extensions: { orderBy: { createdAt: 'asc' } } },
      });
      let live: EvidenceStatus | null = null;
      if (r.status === 'open' || r.status === 'overdue') {
        live = await deps.temporal.workflow
          .getHandle(evidenceWorkflowId(r.id))
          .query(evidenceStatusQuery)
          .catch(() => null);
      }
      return {
        body: {
          ...requestJson(r),
          items: r.items.map(itemJson),
          extensions: r.extensions.map(extensionJson),
          live: liveDeadlineJson(live),
        },
      };
    },
  }),
  route({
    method: 'post',
    path: '/evidence-requests/:id/items',
    operationId: 'submitEvidenceItem',
    summary: 'Submit an item of evidence',
    description: 'The first item closes the request as submitted; later ones are kept as further sources of evidence.',
    tag: 'Evidence',
    access: 'member',
    params: uuidParam,
    body: submitEvidenceBody,
    errors: [404, 409],
    responses: { 201: { description: 'The item, as stored' } },
    async handle({ params, body, caller, deps }) {
      const stored = await submitEvidence(deps, caller, params.id, body);
      return { status: 201, location: `/evidence-requests/${params.id}`, body: itemJson(stored) };
    },
  }),
  route({
    method: 'post',
    path: '/evidence-requests/:id/waive',
    operationId: 'waiveEvidenceRequest',
    summary: 'Waive an evidence request',
    tag: 'Evidence',
    access: 'member',
    params: uuidParam,
    body: reasonBody,
    errors: [404, 409],
    responses: changed,
    handle: async ({ params, body, caller, deps }) => ({ body: requestJson(await waiveEvidenceRequest(deps, caller, params.id, body)) }),
  }),
  route({
    method: 'post',
    path: '/evidence-requests/:id/extend',
    operationId: 'extendEvidenceRequest',
    summary: 'Extend an evidence request',
    tag: 'Evidence',
    access: 'member',
    params: uuidParam,
    body: extendDeadlineBody,
    errors: [404, 409],
    responses: changed,
    handle: async ({ params, body, caller, deps }) => ({ body: requestJson(await extendEvidenceRequest(deps, caller, params.id, body)) }),
  }),
];

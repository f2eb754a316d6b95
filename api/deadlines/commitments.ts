import { z } from 'zod';
import { completeCommitment, dropCommitment, extendCommitment } from '../../core/deadlines/commands.js';
import { createCommitment } from '../../core/deadlines/create.js';
import { completeCommitmentBody, createCommitmentBody, extendDeadlineBody, reasonBody } from '../../core/deadlines/schemas.js';
import { uuidParam } from '../../core/fields.js';
import { visibleOwner, visiblePartnershipId } from '../../core/people/rights.js';
import type { Commitment, Prisma } from '../../generated/prisma/client.js';
import { keyset, page, pageQuery, pageSchema } from '../../lib/pagination.js';
import { type CommitmentStatus, commitmentStatusQuery } from '../../workflows/deadlines/messages.js';
import { commitmentWorkflowId } from '../../workflows/ids.js';
import { route } from '../http/route.js';
import { extensionJson, liveDeadlineJson } from './deadline.js';

const commitmentJson = (c: Commitment) => ({
  id: c.id,
  partnershipId: c.partnershipId,
  reviewId: c.reviewId,
  ownerId: c.ownerId,
  side: c.side,
  description: c.description,
  dueAt: c.dueAt.toISOString(),
  status: c.status,
  closedAt: c.closedAt?.toISOString() ?? null,
  closeNote: c.closeNote,
});

const commitmentSchema = z
  .object({
    id: z.uuid(),
    partnershipId: z.uuid(),
    reviewId: z.uuid().nullable(),
    ownerId: z.uuid(),
    side: z.enum(['district', 'partner', 'shared']),
    description: z.string(),
    dueAt: z.string(),
    status: z.enum(['open', 'overdue', 'done', 'dropped']),
    closedAt: z.string().nullable(),
    closeNote: z.string().nullable(),
  })
  .meta({ id: 'Commitment' });

const listQuery = pageQuery(['dueAt', 'createdAt'], 'dueAt').extend({
  status: z.enum(['open', 'overdue', 'done', 'dropped']).optional(),
  ownerId: z.uuid().optional(),
});

const changed = { 200: { description: 'The commitment after the change', schema: commitmentSchema } };

/** Commitment pledges: created with an owner from the partnership, then tracked by their deadline workflow. */
export const commitmentRoutes = [
  route({
    method: 'post',
    path: '/partnerships/:id/commitments',
    operationId: 'createCommitment',
    summary: 'Create a commitment',
    tag: 'Commitments',
    access: 'member',
    params: uuidParam,
    body: createCommitmentBody,
    errors: [404, 409, 503],
    responses: { 201: { description: 'Created; its deadline workflow is running', schema: commitmentSchema } },
    async handle({ params, body, caller, deps }) {
      const commitment = await createCommitment(deps, caller, params.id, body);
      return { status: 201, location: `/commitments/${commitment.id}`, body: commitmentJson(commitment) };
    },
  }),
  route({
    method: 'get',
    path: '/partnerships/:id/commitments',
    operationId: 'listCommitments',
    summary: "List a partnership's commitments",
    tag: 'Commitments',
    access: 'member',
    params: uuidParam,
    query: listQuery,
    errors: [404],
    responses: { 200: { description: 'One page of commitments', schema: pageSchema(commitmentSchema) } },
    async handle({ params, query, caller, deps }) {
      const id = await visiblePartnershipId(deps.db, caller, params.id);
      const k = keyset(query);
      const rows = await deps.db.commitment.findMany({
        where: { AND: [{ partnershipId: id, status: query.status, ownerId: query.ownerId }, k.where as Prisma.CommitmentWhereInput] },
        orderBy: k.orderBy,
        take: k.take,
      });
      return { body: page(rows, query, k.field, commitmentJson) };
    },
  }),
  route({
    method: 'get',
    path: '/commitments/:id',
    operationId: 'getCommitment',
    summary: 'Get a commitment',
    description: 'With its extensions and, while it is open, the next notice its workflow will send.',
    tag: 'Commitments',
    access: 'member',
    params: uuidParam,
    errors: [404],
    responses: { 200: { description: 'The commitment' } },
    async handle({ params, caller, deps }) {
      await visibleOwner(deps.db, caller, 'commitment', params.id);
      const c = await deps.db.commitment.findUniqueOrThrow({
        where: { id: params.id },
        include: { extensions: { orderBy: { createdAt: 'asc' } } },
      });
      let live: CommitmentStatus | null = null;
      if (c.status === 'open' || c.status === 'overdue') {
        live = await deps.temporal.workflow
          .getHandle(commitmentWorkflowId(c.id))
          .query(commitmentStatusQuery)
          .catch(() => null);
      }
      return { body: { ...commitmentJson(c), extensions: c.extensions.map(extensionJson), live: liveDeadlineJson(live) } };
    },
  }),
  route({
    method: 'post',
    path: '/commitments/:id/complete',
    operationId: 'completeCommitment',
    summary: 'Complete a commitment',
    tag: 'Commitments',
    access: 'member',
    params: uuidParam,
    body: completeCommitmentBody,
    bodyOptional: true,
    errors: [404, 409],
    responses: changed,
    handle: async ({ params, body, caller, deps }) => ({ body: commitmentJson(await completeCommitment(deps, caller, params.id, body)) }),
  }),
  route({
    method: 'post',
    path: '/commitments/:id/extend',
    operationId: 'extendCommitment',
    summary: 'Extend a commitment',
    description: 'Moves its due time, with the reason kept.',
    tag: 'Commitments',
    access: 'member',
    params: uuidParam,
    body: extendDeadlineBody,
    errors: [404, 409],
    responses: changed,
    handle: async ({ params, body, caller, deps }) => ({ body: commitmentJson(await extendCommitment(deps, caller, params.id, body)) }),
  }),
  route({
    method: 'post',
    path: '/commitments/:id/drop',
    operationId: 'dropCommitment',
    summary: 'Drop a commitment',
    tag: 'Commitments',
    access: 'member',
    params: uuidParam,
    body: reasonBody,
    errors: [404, 409],
    responses: changed,
    handle: async ({ params, body, caller, deps }) => ({ body: commitmentJson(await dropCommitment(deps, caller, params.id, body)) }),
  }),
];

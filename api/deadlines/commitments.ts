import { z } from 'zod';
import { completeCommitment, dropCommitment, extendCommitment } from '../../core/deadlines/commands.js';
import { assertFuture } from '../../core/deadlines/due.js';
import { completeCommitmentBody, createCommitmentBody, extendDeadlineBody, reasonBody } from '../../core/deadlines/schemas.js';
import { actorColumns } from '../../core/events.js';
import { uuidParam } from '../../core/fields.js';
import { actorOf } from '../../core/people/principal.js';
import { visibleOwner, visiblePartnershipId } from '../../core/people/rights.js';
import { memberByEmail, openPartnership } from '../../core/reviews/partnership.js';
import type { Commitment, Prisma } from '../../generated/prisma/client.js';
import { startOrRollBack } from '../../lib/temporal/start.js';
import { commitmentWorkflow } from '../../workflows/deadlines/commitment.js';
import { type CommitmentStatus, commitmentStatusQuery } from '../../workflows/deadlines/messages.js';
import { commitmentWorkflowId } from '../../workflows/ids.js';
import { keyset, page, pageQuery, pageSchema } from '../http/pagination.js';
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
      const { db, temporal } = deps;
      const partnership = await openPartnership(db, caller, params.id);
      const { id } = partnership;
      const { person: owner, side: ownersSide } = memberByEmail(partnership, body.ownerEmail, 'ownerEmail');
      assertFuture([{ path: 'dueAt', at: body.dueAt }], Date.now());
      const commitment = await db.$transaction(async (tx) => {
        const c = await tx.commitment.create({
          data: {
            partnershipId: id,
            ownerId: owner.id,
            side: body.side ?? ownersSide,
            description: body.description,
            dueAt: new Date(body.dueAt),
          },
        });
        await tx.partnershipEvent.create({
          data: {
            partnershipId: id,
            idempotencyKey: `commitment:${c.id}:created`,
            type: 'commitment.created',
            ...actorColumns(actorOf(caller)),
            data: { commitmentId: c.id, dueAt: c.dueAt.toISOString() },
          },
        });
        await startOrRollBack(deps.logger, 'commitment', () =>
          temporal.workflow.start(commitmentWorkflow, {
            workflowId: commitmentWorkflowId(c.id),
            taskQueue: deps.taskQueue,
            args: [{ commitmentId: c.id }],
          }),
        );
        return c;
      });
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

import { z } from 'zod';
import { completeCommitment, dropCommitment, extendCommitment } from '../../core/deadlines/commands.js';
import { createCommitment } from '../../core/deadlines/create.js';
import { completeCommitmentBody, createCommitmentBody, reasonBody } from '../../core/deadlines/schemas.js';
import type { Commitment, Prisma } from '../../generated/prisma/client.js';
import { commitmentStatusQuery } from '../../workflows/deadlines/messages.js';
import { commitmentWorkflowId } from '../../workflows/ids.js';
import { route, tagged } from '../http/route.js';
import { changedResponse, deadlineRoutes } from './deadline.js';

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

const changed = changedResponse('commitment', commitmentSchema);

/** Commitment pledges: created with an owner from the partnership, then tracked by their deadline workflow. */
export const commitmentRoutes = tagged('Commitments', [
  ...deadlineRoutes({
    path: '/commitments',
    name: 'Commitment',
    one: 'commitment',
    a: 'a commitment',
    many: 'commitments',
    schema: commitmentSchema,
    statuses: ['open', 'overdue', 'done', 'dropped'],
    json: commitmentJson,
    create: { summary: 'Create a commitment', body: createCommitmentBody, run: createCommitment },
    list: (db, where, k) =>
      db.commitment.findMany({ where: { AND: [where, k.where as Prisma.CommitmentWhereInput] }, orderBy: k.orderBy, take: k.take }),
    detail: (db, id) => db.commitment.findUniqueOrThrow({ where: { id }, include: { extensions: { orderBy: { createdAt: 'asc' } } } }),
    getDescription: 'With its extensions and, while it is open, the next notice its workflow will send.',
    live: (temporal, id) => temporal.workflow.getHandle(commitmentWorkflowId(id)).query(commitmentStatusQuery),
    extend: extendCommitment,
  }),
  route('POST /commitments/:id/complete', {
    operationId: 'completeCommitment',
    summary: 'Complete a commitment',
    access: 'member',
    body: completeCommitmentBody,
    bodyOptional: true,
    errors: [404, 409],
    responses: changed,
    handle: async ({ params, body, caller, deps }) => ({ body: commitmentJson(await completeCommitment(deps, caller, params.id, body)) }),
  }),
  route('POST /commitments/:id/drop', {
    operationId: 'dropCommitment',
    summary: 'Drop a commitment',
    access: 'member',
    body: reasonBody,
    errors: [404, 409],
    responses: changed,
    handle: async ({ params, body, caller, deps }) => ({ body: commitmentJson(await dropCommitment(deps, caller, params.id, body)) }),
  }),
]);

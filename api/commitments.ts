import type { Client, WorkflowHandle } from '@temporalio/client';
import { Router } from 'express';
import type { Commitment } from '../generated/prisma/client.js';
import type { Db } from '../lib/db/client.js';
import { NotFoundError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { commitmentWorkflowId } from '../lib/temporal/ids.js';
import { sendUpdate } from '../lib/temporal/updates.js';
import {
  type CommitmentStatus,
  commitmentStatusQuery,
  commitmentWorkflow,
  completeCommitmentUpdate,
  dropCommitmentUpdate,
  extendCommitmentUpdate,
} from '../workflows/commitment.js';
import {
  assertFuture,
  extensionJson,
  liveDeadlineJson,
  memberByEmail,
  openPartnership,
  refreshOpenCounts,
  startOrRollBack,
} from './deadlines.js';
import { parseOrThrow } from './problem.js';
import { completeCommitmentBody, createCommitmentBody, extendDeadlineBody, reasonBody, uuidParam } from './schemas.js';

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

/** Commitment pledges: created with an owner from the partnership, then tracked by their deadline workflow. */
export function commitmentsRouter(deps: { db: Db; temporal: Client; taskQueue: string; logger: Logger }) {
  const { db, temporal } = deps;
  const router = Router();

  router.post('/partnerships/:id/commitments', async (req, res) => {
    const { id } = parseOrThrow(uuidParam, req.params, 'partnership id');
    const body = parseOrThrow(createCommitmentBody, req.body, 'commitment');
    const partnership = await openPartnership(db, id);
    const owner = memberByEmail(partnership, body.ownerEmail, 'ownerEmail');
    assertFuture([{ path: 'dueAt', at: body.dueAt }], Date.now());

    const commitment = await db.$transaction(async (tx) => {
      const c = await tx.commitment.create({
        data: { partnershipId: id, ownerId: owner.id, side: body.side, description: body.description, dueAt: new Date(body.dueAt) },
      });
      await tx.partnershipEvent.create({
        data: {
          partnershipId: id,
          idempotencyKey: `commitment:${c.id}:created`,
          type: 'commitment.created',
          actor: 'api',
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
    await refreshOpenCounts(deps, id);
    res.status(201).location(`/commitments/${commitment.id}`).json(commitmentJson(commitment));
  });

  router.get('/commitments/:id', async (req, res) => {
    const { id } = parseOrThrow(uuidParam, req.params, 'commitment id');
    const c = await db.commitment.findUnique({ where: { id }, include: { extensions: { orderBy: { createdAt: 'asc' } } } });
    if (!c) throw new NotFoundError(`Commitment ${id} does not exist`);
    let live: CommitmentStatus | null = null;
    if (c.status === 'open' || c.status === 'overdue') {
      live = await temporal.workflow
        .getHandle(commitmentWorkflowId(id))
        .query(commitmentStatusQuery)
        .catch(() => null);
    }
    res.json({ ...commitmentJson(c), extensions: c.extensions.map(extensionJson), live: liveDeadlineJson(live) });
  });

  async function change(id: string, send: (h: WorkflowHandle) => Promise<unknown>) {
    if (!(await db.commitment.findUnique({ where: { id }, select: { id: true } })))
      throw new NotFoundError(`Commitment ${id} does not exist`);
    await sendUpdate(temporal, commitmentWorkflowId(id), 'The commitment is already closed', send);
    return commitmentJson(await db.commitment.findUniqueOrThrow({ where: { id } }));
  }

  router.post('/commitments/:id/complete', async (req, res) => {
    const { id } = parseOrThrow(uuidParam, req.params, 'commitment id');
    const body = parseOrThrow(completeCommitmentBody, req.body ?? {}, 'completion');
    res.json(await change(id, (h) => h.executeUpdate(completeCommitmentUpdate, { args: [body] })));
  });
  router.post('/commitments/:id/extend', async (req, res) => {
    const { id } = parseOrThrow(uuidParam, req.params, 'commitment id');
    const { dueAt, reason } = parseOrThrow(extendDeadlineBody, req.body, 'extension');
    res.json(await change(id, (h) => h.executeUpdate(extendCommitmentUpdate, { args: [{ dueAt: Date.parse(dueAt), reason }] })));
  });
  router.post('/commitments/:id/drop', async (req, res) => {
    const { id } = parseOrThrow(uuidParam, req.params, 'commitment id');
    const body = parseOrThrow(reasonBody, req.body, 'drop');
    res.json(await change(id, (h) => h.executeUpdate(dropCommitmentUpdate, { args: [body] })));
  });
  return router;
}

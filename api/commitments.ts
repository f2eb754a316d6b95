import type { Client, WorkflowHandle } from '@temporalio/client';
import { Router } from 'express';
import type { Commitment } from '../generated/prisma/client.js';
import type { Db } from '../lib/db/client.js';
import { ConflictError, DependencyUnavailableError, NotFoundError, ValidationError } from '../lib/errors.js';
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
import { parseOrThrow } from './problem.js';
import { completeCommitmentBody, createCommitmentBody, dropCommitmentBody, extendCommitmentBody, uuidParam } from './schemas.js';

const commitmentJson = (c: Commitment) => ({
  id: c.id,
  partnershipId: c.partnershipId,
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
    const partnership = await db.partnership.findUnique({ where: { id }, include: { members: { include: { person: true } } } });
    if (!partnership) throw new NotFoundError(`Partnership ${id} does not exist`);
    const owner = partnership.members.find((m) => m.person.email === body.ownerEmail)?.person;
    if (!owner)
      throw new ValidationError('The owner must be a member of the partnership', [
        { path: 'ownerEmail', message: 'is not a member of this partnership' },
      ]);
    if (Date.parse(body.dueAt) <= Date.now())
      throw new ValidationError('dueAt must be in the future', [{ path: 'dueAt', message: 'must be in the future' }]);
    if (partnership.status === 'completed' || partnership.status === 'ended_early') {
      throw new ConflictError('The partnership has ended; it takes no new commitments');
    }

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
      try {
        await temporal.workflow.start(commitmentWorkflow, {
          workflowId: commitmentWorkflowId(c.id),
          taskQueue: deps.taskQueue,
          args: [{ commitmentId: c.id }],
        });
      } catch (e) {
        deps.logger.error({ err: e }, 'could not start the commitment workflow');
        throw new DependencyUnavailableError('The workflow engine is unavailable; nothing was saved, try again');
      }
      return c;
    });
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
    res.json({
      ...commitmentJson(c),
      extensions: c.extensions.map((e) => ({ from: e.fromDueAt.toISOString(), to: e.toDueAt.toISOString(), reason: e.reason })),
      live: live && {
        status: live.status,
        nextNotice: live.nextStage && { ...live.nextStage, at: new Date(live.nextStage.at).toISOString() },
      },
    });
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
    const { dueAt, reason } = parseOrThrow(extendCommitmentBody, req.body, 'extension');
    res.json(await change(id, (h) => h.executeUpdate(extendCommitmentUpdate, { args: [{ dueAt: Date.parse(dueAt), reason }] })));
  });
  router.post('/commitments/:id/drop', async (req, res) => {
    const { id } = parseOrThrow(uuidParam, req.params, 'commitment id');
    const body = parseOrThrow(dropCommitmentBody, req.body, 'drop');
    res.json(await change(id, (h) => h.executeUpdate(dropCommitmentUpdate, { args: [body] })));
  });
  return router;
}

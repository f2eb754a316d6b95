import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { Router } from 'express';
import type { EvidenceItem, EvidenceRequest } from '../generated/prisma/client.js';
import type { Db } from '../lib/db/client.js';
import { ConflictError, NotFoundError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { evidenceWorkflowId } from '../lib/temporal/ids.js';
import { sendUpdate } from '../lib/temporal/updates.js';
import {
  type EvidenceStatus,
  evidenceRequestWorkflow,
  evidenceStatusQuery,
  extendEvidenceUpdate,
  submitEvidenceUpdate,
  waiveEvidenceUpdate,
} from '../workflows/evidence.js';
import {
  assertFuture,
  extensionJson,
  liveDeadlineJson,
  loadPartnership,
  memberByEmail,
  openPartnership,
  refreshOpenCounts,
  startOrRollBack,
} from './deadlines.js';
import { parseOrThrow } from './problem.js';
import { createEvidenceRequestBody, extendDeadlineBody, reasonBody, submitEvidenceBody, uuidParam } from './schemas.js';

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

/**
 * Evidence requests: what a partnership asked to see (observations, survey results, minutes...),
 * tracked by the deadline workflow until the first item arrives or it is waived. Items sent after
 * that are kept as further sources of evidence.
 */
export function evidenceRouter(deps: { db: Db; temporal: Client; taskQueue: string; logger: Logger }) {
  const { db, temporal } = deps;
  const router = Router();

  router.post('/partnerships/:id/evidence-requests', async (req, res) => {
    const { id } = parseOrThrow(uuidParam, req.params, 'partnership id');
    const body = parseOrThrow(createEvidenceRequestBody, req.body, 'evidence request');
    const partnership = await openPartnership(db, id);
    const owner = memberByEmail(partnership, body.ownerEmail, 'ownerEmail');
    assertFuture([{ path: 'dueAt', at: body.dueAt }], Date.now());

    const request = await db.$transaction(async (tx) => {
      const r = await tx.evidenceRequest.create({
        data: { partnershipId: id, ownerId: owner.id, description: body.description, kinds: body.kinds, dueAt: new Date(body.dueAt) },
      });
      await tx.partnershipEvent.create({
        data: {
          partnershipId: id,
          idempotencyKey: `evidence:${r.id}:created`,
          type: 'evidence.requested',
          actor: 'api',
          data: { requestId: r.id, dueAt: r.dueAt.toISOString() },
        },
      });
      await startOrRollBack(deps.logger, 'evidence request', () =>
        temporal.workflow.start(evidenceRequestWorkflow, {
          workflowId: evidenceWorkflowId(r.id),
          taskQueue: deps.taskQueue,
          args: [{ requestId: r.id }],
        }),
      );
      return r;
    });
    await refreshOpenCounts(deps, id);
    res.status(201).location(`/evidence-requests/${request.id}`).json(requestJson(request));
  });

  router.get('/evidence-requests/:id', async (req, res) => {
    const { id } = parseOrThrow(uuidParam, req.params, 'evidence request id');
    const r = await db.evidenceRequest.findUnique({
      where: { id },
      include: { items: { orderBy: { submittedAt: 'asc' } }, extensions: { orderBy: { createdAt: 'asc' } } },
    });
    if (!r) throw new NotFoundError(`Evidence request ${id} does not exist`);
    let live: EvidenceStatus | null = null;
    if (r.status === 'open' || r.status === 'overdue') {
      live = await temporal.workflow
        .getHandle(evidenceWorkflowId(id))
        .query(evidenceStatusQuery)
        .catch(() => null);
    }
    res.json({
      ...requestJson(r),
      items: r.items.map(itemJson),
      extensions: r.extensions.map(extensionJson),
      live: liveDeadlineJson(live),
    });
  });

  async function find(id: string) {
    const r = await db.evidenceRequest.findUnique({ where: { id } });
    if (!r) throw new NotFoundError(`Evidence request ${id} does not exist`);
    return r;
  }
  async function change(id: string, send: (h: WorkflowHandle) => Promise<unknown>) {
    await find(id);
    await sendUpdate(temporal, evidenceWorkflowId(id), 'The evidence request is already closed', send);
    return requestJson(await db.evidenceRequest.findUniqueOrThrow({ where: { id } }));
  }

  router.post('/evidence-requests/:id/items', async (req, res) => {
    const { id } = parseOrThrow(uuidParam, req.params, 'evidence request id');
    const body = parseOrThrow(submitEvidenceBody, req.body, 'evidence item');
    const request = await find(id);
    const partnership = await loadPartnership(db, request.partnershipId);
    if (!partnership) throw new NotFoundError(`Evidence request ${id} does not exist`);
    const person = memberByEmail(partnership, body.email, 'email');
    const item = { itemId: randomUUID(), personId: person.id, kind: body.kind, link: body.link, text: body.text };
    if (request.status === 'waived') throw new ConflictError('The evidence request was waived; it takes no evidence');
    if (request.status === 'submitted') {
      // Its deadline is over: a further source of evidence needs no workflow.
      await db.evidenceItem.create({
        data: {
          id: item.itemId,
          requestId: id,
          kind: item.kind,
          link: item.link ?? null,
          text: item.text ?? null,
          submittedById: person.id,
        },
      });
    } else {
      await sendUpdate(temporal, evidenceWorkflowId(id), 'The evidence request is already closed', (h) =>
        h.executeUpdate(submitEvidenceUpdate, { args: [item] }),
      );
    }
    const stored = await db.evidenceItem.findUniqueOrThrow({ where: { id: item.itemId } });
    res.status(201).location(`/evidence-requests/${id}`).json(itemJson(stored));
  });
  router.post('/evidence-requests/:id/waive', async (req, res) => {
    const { id } = parseOrThrow(uuidParam, req.params, 'evidence request id');
    const body = parseOrThrow(reasonBody, req.body, 'waiver');
    res.json(await change(id, (h) => h.executeUpdate(waiveEvidenceUpdate, { args: [body] })));
  });
  router.post('/evidence-requests/:id/extend', async (req, res) => {
    const { id } = parseOrThrow(uuidParam, req.params, 'evidence request id');
    const { dueAt, reason } = parseOrThrow(extendDeadlineBody, req.body, 'extension');
    res.json(await change(id, (h) => h.executeUpdate(extendEvidenceUpdate, { args: [{ dueAt: Date.parse(dueAt), reason }] })));
  });
  return router;
}

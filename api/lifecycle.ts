import type { Client, WorkflowHandle } from '@temporalio/client';
import { Router } from 'express';
import type { Db } from '../lib/db/client.js';
import { NotFoundError } from '../lib/errors.js';
import { partnershipWorkflowId } from '../lib/temporal/ids.js';
import { sendUpdate } from '../lib/temporal/updates.js';
import {
  endUpdate,
  type PartnershipStatus,
  pauseUpdate,
  recordOutcomeUpdate,
  rescheduleReviewUpdate,
  resumeUpdate,
} from '../workflows/partnership.js';
import { liveStatusJson } from './partnerships.js';
import { parseOrThrow } from './problem.js';
import { endBody, outcomeBody, pauseBody, rescheduleBody, reviewParams, uuidParam } from './schemas.js';

/**
 * Changes to a partnership's plan. Each is an update to its workflow, which validates the
 * transition first (a rejected one is a 409 and changes nothing) and records it in the database.
 */
export function lifecycleRouter(deps: { db: Db; temporal: Client }) {
  const router = Router();

  async function update(partnershipId: string, send: (handle: WorkflowHandle) => Promise<PartnershipStatus>) {
    if (!(await deps.db.partnership.findUnique({ where: { id: partnershipId }, select: { id: true } }))) {
      throw new NotFoundError(`Partnership ${partnershipId} does not exist`);
    }
    const status = await sendUpdate(
      deps.temporal,
      partnershipWorkflowId(partnershipId),
      'The partnership has ended; its plan can no longer change',
      send,
    );
    return liveStatusJson(status);
  }

  router.post('/partnerships/:id/pause', async (req, res) => {
    const { id } = parseOrThrow(uuidParam, req.params, 'partnership id');
    const body = parseOrThrow(pauseBody, req.body ?? {}, 'pause request');
    res.json(await update(id, (h) => h.executeUpdate(pauseUpdate, { args: [body] })));
  });
  router.post('/partnerships/:id/resume', async (req, res) => {
    const { id } = parseOrThrow(uuidParam, req.params, 'partnership id');
    res.json(await update(id, (h) => h.executeUpdate(resumeUpdate)));
  });
  router.post('/partnerships/:id/end', async (req, res) => {
    const { id } = parseOrThrow(uuidParam, req.params, 'partnership id');
    const body = parseOrThrow(endBody, req.body, 'end request');
    res.json(await update(id, (h) => h.executeUpdate(endUpdate, { args: [body] })));
  });
  router.post('/partnerships/:id/reviews/:reviewId/reschedule', async (req, res) => {
    const { id, reviewId } = parseOrThrow(reviewParams, req.params, 'review path');
    const { at } = parseOrThrow(rescheduleBody, req.body, 'reschedule request');
    res.json(await update(id, (h) => h.executeUpdate(rescheduleReviewUpdate, { args: [{ reviewId, at: Date.parse(at) }] })));
  });
  router.post('/partnerships/:id/reviews/:reviewId/outcome', async (req, res) => {
    const { id, reviewId } = parseOrThrow(reviewParams, req.params, 'review path');
    const outcome = parseOrThrow(outcomeBody, req.body, 'review outcome');
    res.json(await update(id, (h) => h.executeUpdate(recordOutcomeUpdate, { args: [{ ...outcome, reviewId }] })));
  });
  return router;
}

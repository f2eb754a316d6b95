import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { Router } from 'express';
import type { Db } from '../lib/db/client.js';
import { NotFoundError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { Blackout } from '../lib/schedule/recurrence.js';
import { partnershipWorkflowId } from '../lib/temporal/ids.js';
import { sendUpdate } from '../lib/temporal/updates.js';
import {
  changeRecurrenceUpdate,
  endUpdate,
  type PartnershipStatus,
  pauseUpdate,
  recordOutcomeUpdate,
  rescheduleReviewUpdate,
  resumeUpdate,
} from '../workflows/partnership.js';
import { assertFuture, firstReviewOf, loadPartnership, memberByEmail } from './deadlines.js';
import { liveStatusJson } from './partnerships.js';
import { parseOrThrow } from './problem.js';
import {
  changeRecurrenceBody,
  endBody,
  memberParams,
  memberPreferencesBody,
  outcomeBody,
  pauseBody,
  rescheduleBody,
  reviewParams,
  uuidParam,
} from './schemas.js';

/**
 * Changes to a partnership's plan. Each is an update to its workflow, which validates the
 * transition first (a rejected one is a 409 and changes nothing) and records it in the database.
 */
export function lifecycleRouter(deps: { db: Db; temporal: Client; logger: Logger }) {
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
    if (outcome.outcome === 'skipped') {
      res.json(await update(id, (h) => h.executeUpdate(recordOutcomeUpdate, { args: [{ ...outcome, reviewId }] })));
      return;
    }
    // What a held review pledges is checked here and created by the workflow, under ids given now,
    // so that it exists exactly when the outcome does.
    const partnership = await loadPartnership(deps.db, id);
    if (!partnership) throw new NotFoundError(`Partnership ${id} does not exist`);
    assertFuture(
      [
        ...outcome.commitments.map((c, i) => ({ path: `commitments.${i}.dueAt`, at: c.dueAt })),
        ...outcome.evidenceRequests.map((e, i) => ({ path: `evidenceRequests.${i}.dueAt`, at: e.dueAt })),
      ],
      Date.now(),
    );
    const commitments = outcome.commitments.map(({ ownerEmail, dueAt, ...c }, i) => ({
      ...c,
      id: randomUUID(),
      ownerId: memberByEmail(partnership, ownerEmail, `commitments.${i}.ownerEmail`).id,
      dueAt: Date.parse(dueAt),
    }));
    const evidenceRequests = outcome.evidenceRequests.map(({ ownerEmail, dueAt, ...e }, i) => ({
      ...e,
      id: randomUUID(),
      ownerId: memberByEmail(partnership, ownerEmail, `evidenceRequests.${i}.ownerEmail`).id,
      dueAt: Date.parse(dueAt),
    }));
    const status = await update(id, (h) =>
      h.executeUpdate(recordOutcomeUpdate, { args: [{ ...outcome, reviewId, commitments, evidenceRequests }] }),
    );
    res.json({ ...status, created: { commitments: commitments.map((c) => c.id), evidenceRequests: evidenceRequests.map((e) => e.id) } });
  });
  router.post('/partnerships/:id/recurrence', async (req, res) => {
    const { id } = parseOrThrow(uuidParam, req.params, 'partnership id');
    const { recurrence, blackouts } = parseOrThrow(changeRecurrenceBody, req.body, 'recurrence change');
    const partnership = await deps.db.partnership.findUnique({ where: { id } });
    if (!partnership) throw new NotFoundError(`Partnership ${id} does not exist`);
    const rrule = recurrence.rrule.replace(/^RRULE:/i, '');
    firstReviewOf(
      {
        rrule,
        start: recurrence.start,
        timeZone: partnership.timeZone,
        blackouts: blackouts ?? (partnership.blackouts as unknown as Blackout[]),
      },
      Date.now(),
    );
    res.json(await update(id, (h) => h.executeUpdate(changeRecurrenceUpdate, { args: [{ rrule, start: recurrence.start, blackouts }] })));
  });
  // Preferences are read when each message is sent, so they need no workflow.
  router.patch('/partnerships/:id/members/:personId', async (req, res) => {
    const { id, personId } = parseOrThrow(memberParams, req.params, 'member path');
    const { notifications } = parseOrThrow(memberPreferencesBody, req.body, 'member preferences');
    const { count } = await deps.db.partnershipMember.updateMany({ where: { partnershipId: id, personId }, data: { notifications } });
    if (count === 0) throw new NotFoundError(`Person ${personId} is not a member of partnership ${id}`);
    const member = await deps.db.partnershipMember.findUniqueOrThrow({
      where: { partnershipId_personId: { partnershipId: id, personId } },
      include: { person: true },
    });
    res.json({ personId, name: member.person.name, email: member.person.email, role: member.role, notifications: member.notifications });
  });
  return router;
}

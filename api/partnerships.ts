import type { Client } from '@temporalio/client';
import { Router } from 'express';
import type { Db } from '../lib/db/client.js';
import { DependencyUnavailableError, NotFoundError, ValidationError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { partnershipWorkflowId } from '../lib/temporal/ids.js';
import { type PartnershipStatus, partnershipWorkflow, statusQuery } from '../workflows/partnership.js';
import { parseOrThrow } from './problem.js';
import { createPartnershipBody, uuidParam } from './schemas.js';

export function partnershipsRouter(deps: { db: Db; temporal: Client; taskQueue: string; logger: Logger; now?: () => number }) {
  const { db, temporal, taskQueue } = deps;
  const now = deps.now ?? Date.now;
  const router = Router();

  router.post('/partnerships', async (req, res) => {
    const body = parseOrThrow(createPartnershipBody, req.body, 'partnership');
    const firstReviewAt = new Date(body.firstReviewAt);
    if (firstReviewAt.getTime() <= now()) {
      throw new ValidationError('firstReviewAt must be in the future', [{ path: 'firstReviewAt', message: 'must be in the future' }]);
    }

    // The workflow starts inside the transaction: if Temporal refuses, nothing is written.
    const created = await db.$transaction(async (tx) => {
      const district = await tx.organization.upsert({
        where: { kind_name: { kind: 'district', name: body.district.name } },
        create: { kind: 'district', name: body.district.name, timeZone: body.timeZone },
        update: {},
      });
      const partner = await tx.organization.upsert({
        where: { kind_name: { kind: 'partner', name: body.partner.name } },
        create: { kind: 'partner', name: body.partner.name, timeZone: body.timeZone },
        update: {},
      });
      const partnership = await tx.partnership.create({
        data: {
          name: body.name,
          districtId: district.id,
          partnerId: partner.id,
          timeZone: body.timeZone,
          reminderOffsets: body.reminderOffsets,
        },
      });
      for (const m of body.members) {
        const person = await tx.person.upsert({ where: { email: m.email }, create: { email: m.email, name: m.name }, update: {} });
        await tx.partnershipMember.create({ data: { partnershipId: partnership.id, personId: person.id, role: m.role } });
      }
      const review = await tx.review.create({ data: { partnershipId: partnership.id, sequence: 1, scheduledAt: firstReviewAt } });
      await tx.partnershipEvent.create({
        data: {
          partnershipId: partnership.id,
          idempotencyKey: `partnership:${partnership.id}:created`,
          type: 'partnership.created',
          actor: 'api',
          data: { firstReviewAt: firstReviewAt.toISOString() },
        },
      });
      try {
        await temporal.workflow.start(partnershipWorkflow, {
          workflowId: partnershipWorkflowId(partnership.id),
          taskQueue,
          args: [{ partnershipId: partnership.id }],
        });
      } catch (e) {
        deps.logger.error({ err: e }, 'could not start the partnership workflow');
        throw new DependencyUnavailableError('The workflow engine is unavailable; nothing was saved, try again');
      }
      return { partnership, review };
    });

    const { partnership, review } = created;
    res
      .status(201)
      .location(`/partnerships/${partnership.id}`)
      .json({
        id: partnership.id,
        name: partnership.name,
        status: partnership.status,
        timeZone: partnership.timeZone,
        reminderOffsets: partnership.reminderOffsets,
        workflowId: partnershipWorkflowId(partnership.id),
        firstReview: { id: review.id, sequence: review.sequence, scheduledAt: review.scheduledAt.toISOString() },
      });
  });

  router.get('/partnerships/:id', async (req, res) => {
    const { id } = parseOrThrow(uuidParam, req.params, 'partnership id');
    const p = await db.partnership.findUnique({
      where: { id },
      include: {
        district: true,
        partner: true,
        members: { include: { person: true } },
        reviews: { orderBy: { sequence: 'asc' } },
      },
    });
    if (!p) throw new NotFoundError(`Partnership ${id} does not exist`);
    let live: PartnershipStatus | null = null;
    try {
      live = await temporal.workflow.getHandle(partnershipWorkflowId(id)).query(statusQuery);
    } catch (e) {
      deps.logger.warn({ err: e, partnershipId: id }, 'workflow query failed');
    }
    res.json({
      id: p.id,
      name: p.name,
      status: p.status,
      timeZone: p.timeZone,
      reminderOffsets: p.reminderOffsets,
      district: { id: p.district.id, name: p.district.name },
      partner: { id: p.partner.id, name: p.partner.name },
      members: p.members.map((m) => ({ personId: m.personId, name: m.person.name, email: m.person.email, role: m.role })),
      reviews: p.reviews.map((r) => ({ id: r.id, sequence: r.sequence, scheduledAt: r.scheduledAt.toISOString(), status: r.status })),
      live: live && {
        ...live,
        nextReviewAt: live.nextReviewAt && new Date(live.nextReviewAt).toISOString(),
        nextReminderAt: live.nextReminderAt && new Date(live.nextReminderAt).toISOString(),
        sentReminders: live.sentReminders.map((r) => ({
          index: r.index,
          dueAt: new Date(r.dueAt).toISOString(),
          sentAt: new Date(r.sentAt).toISOString(),
        })),
      },
    });
  });

  return router;
}

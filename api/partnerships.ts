import type { Client } from '@temporalio/client';
import { Router } from 'express';
import type { Db } from '../lib/db/client.js';
import { DependencyUnavailableError, NotFoundError, ValidationError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { resolvePolicy } from '../lib/policy.js';
import { partnershipWorkflowId } from '../lib/temporal/ids.js';
import { type PartnershipStatus, partnershipWorkflow, statusQuery } from '../workflows/partnership.js';
import { firstReviewOf } from './deadlines.js';
import { parseOrThrow } from './problem.js';
import { createPartnershipBody, uuidParam } from './schemas.js';

/** The workflow's status with times as ISO strings. */
export function liveStatusJson(live: PartnershipStatus) {
  const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
  return {
    ...live,
    currentReview: live.currentReview ? { ...live.currentReview, scheduledAt: iso(live.currentReview.scheduledAt) } : null,
    nextReviewAt: iso(live.nextReviewAt),
    nextReminderAt: iso(live.nextReminderAt),
    sentReminders: live.sentReminders.map((r) => ({ index: r.index, dueAt: iso(r.dueAt), sentAt: iso(r.sentAt) })),
  };
}

export function partnershipsRouter(deps: { db: Db; temporal: Client; taskQueue: string; logger: Logger; now?: () => number }) {
  const { db, temporal, taskQueue } = deps;
  const now = deps.now ?? Date.now;
  const router = Router();

  router.post('/partnerships', async (req, res) => {
    const body = parseOrThrow(createPartnershipBody, req.body, 'partnership');
    const firstReviewAt = body.firstReviewAt ? new Date(body.firstReviewAt) : undefined;
    if (firstReviewAt && firstReviewAt.getTime() <= now()) {
      throw new ValidationError('firstReviewAt must be in the future', [{ path: 'firstReviewAt', message: 'must be in the future' }]);
    }
    let nextReviewAt = firstReviewAt?.getTime();
    if (body.recurrence) {
      const schedule = { rrule: body.recurrence.rrule, start: body.recurrence.start, timeZone: body.timeZone, blackouts: body.blackouts };
      const fromRecurrence = firstReviewOf(schedule, now());
      nextReviewAt ??= fromRecurrence;
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
          recurrenceRule: body.recurrence?.rrule.replace(/^RRULE:/i, '') ?? null,
          recurrenceStart: body.recurrence?.start ?? null,
          blackouts: body.blackouts,
          outcomeGrace: body.outcomeGrace,
          policy: body.policy,
        },
      });
      for (const m of body.members) {
        const person = await tx.person.upsert({ where: { email: m.email }, create: { email: m.email, name: m.name }, update: {} });
        await tx.partnershipMember.create({
          data: { partnershipId: partnership.id, personId: person.id, role: m.role, notifications: m.notifications },
        });
      }
      // Without an explicit first review the workflow plans it from the recurrence.
      const review = firstReviewAt
        ? await tx.review.create({ data: { partnershipId: partnership.id, sequence: 1, scheduledAt: firstReviewAt } })
        : null;
      await tx.partnershipEvent.create({
        data: {
          partnershipId: partnership.id,
          idempotencyKey: `partnership:${partnership.id}:created`,
          type: 'partnership.created',
          actor: 'api',
          data: { nextReviewAt: new Date(nextReviewAt as number).toISOString() },
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
        policy: resolvePolicy(partnership),
        recurrence: body.recurrence ?? null,
        blackouts: body.blackouts,
        workflowId: partnershipWorkflowId(partnership.id),
        nextReviewAt: new Date(nextReviewAt as number).toISOString(),
        firstReview: review && { id: review.id, sequence: review.sequence, scheduledAt: review.scheduledAt.toISOString() },
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
      recurrence: p.recurrenceRule && { rrule: p.recurrenceRule, start: p.recurrenceStart },
      blackouts: p.blackouts,
      outcomeGrace: p.outcomeGrace,
      policy: resolvePolicy(p),
      endedAt: p.endedAt?.toISOString() ?? null,
      endedReason: p.endedReason,
      district: { id: p.district.id, name: p.district.name },
      partner: { id: p.partner.id, name: p.partner.name },
      members: p.members.map((m) => ({
        personId: m.personId,
        name: m.person.name,
        email: m.person.email,
        role: m.role,
        notifications: m.notifications,
      })),
      reviews: p.reviews.map((r) => ({
        id: r.id,
        sequence: r.sequence,
        scheduledAt: r.scheduledAt.toISOString(),
        originalAt: r.originalAt?.toISOString() ?? null,
        status: r.status,
        notes: r.notes,
        decisions: r.decisions,
        skipReason: r.skipReason,
      })),
      live: live && liveStatusJson(live),
    });
  });

  return router;
}

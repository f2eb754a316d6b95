import { ApplicationFailure } from '@temporalio/activity';
import { recordEvent } from '../../core/events.js';
import { asRecipients, notify } from '../../core/mail/notify.js';
import { type LifecycleNotice, partnershipLifecycle } from '../../core/mail/templates.js';
import { pages } from '../../core/pages.js';
import { audienceOf } from '../../core/policy.js';
import type { PartnershipStatus } from '../../generated/prisma/client.js';
import type { Actor } from '../../workflows/actor.js';
import type { LifecycleChange } from '../../workflows/partnerships/steps.js';
import { closeDeadlinesAtEnd, moveDeadlinesAfterPause, replanDeadlines } from '../deadlines/lifecycle.js';
import type { ActivityDeps } from '../deps.js';
import { endCyclesAtEnd, reloadEndedCycles } from '../inquiry/lifecycle.js';
import { mailContext } from '../mail/activities.js';
import { notFound } from '../not-found.js';
import { resumeReflections } from '../reflections/lifecycle.js';
import { createInvitations, withMembers } from '../reviews/invitations.js';

/** The states each lifecycle change may start from; the workflow takes changes one at a time. */
const LIFECYCLE_FROM: Record<LifecycleChange['to'], PartnershipStatus[]> = {
  active: ['paused'],
  paused: ['active'],
  completed: ['planning', 'active', 'paused'],
  ended_early: ['planning', 'active', 'paused'],
};

const LIFECYCLE_NOTICE: Record<LifecycleChange['to'], LifecycleNotice> = {
  active: 'resumed',
  paused: 'paused',
  completed: 'ended',
  ended_early: 'ended',
};

/** How many open deadlines a resume moved, or an end closed (found again, so that a retry tells the same). */
async function deadlinesChangedBy(db: ActivityDeps['db'], partnershipId: string, to: LifecycleChange['to'], at: Date): Promise<number> {
  if (to === 'active') {
    return db.partnershipEvent.count({
      where: {
        partnershipId,
        type: { in: ['commitment.extended', 'evidence.extended'] },
        data: { path: ['pausedUntil'], equals: at.toISOString() },
      },
    });
  }
  if (to === 'paused') return 0;
  const [commitments, requests] = await Promise.all([
    db.commitment.count({ where: { partnershipId, status: 'dropped', closedAt: at } }),
    db.evidenceRequest.count({ where: { partnershipId, status: 'waived', closedAt: at } }),
  ]);
  return commitments + requests;
}

/**
 * A partnership's activation, pause, resume and end, with what each closes, moves and tells.
 * (Long as the sum of its activities, each a method under 100 lines: the factory only hands them their clients.)
 */
export function createLifecycleActivities(deps: ActivityDeps) {
  const { db } = deps;
  const { sendInvitation } = createInvitations(deps);

  /**
   * Tells every member of a change, with the reviews it cancelled (each with its cancellation) and
   * the deadlines it moved or closed. Nothing for a partnership never announced (ended in planning).
   */
  async function announce(partnershipId: string, change: LifecycleChange, closedAs: string | null) {
    const at = new Date(change.at);
    const deadlines = await deadlinesChangedBy(db, partnershipId, change.to, at);
    // A partnership ended while still in planning was never announced: nobody is told it ended.
    const announced = await db.partnershipEvent.findUnique({
      where: { idempotencyKey: `partnership:${partnershipId}:activated` },
      select: { id: true },
    });
    if (!announced) return;
    // Found again rather than passed on, so that a retry after the commit still sends the cancellations.
    const closed = closedAs
      ? await db.review.findMany({
          where: { partnershipId, status: 'skipped', outcomeAt: at, skipReason: closedAs },
          include: { partnership: withMembers },
        })
      : [];
    for (const review of closed) await sendInvitation(review, change.at);
    const p = await db.partnership.findUniqueOrThrow({ where: { id: partnershipId }, ...withMembers });
    const next = await db.review.findFirst({ where: { partnershipId, status: 'scheduled' }, orderBy: { sequence: 'asc' } });
    const notice = LIFECYCLE_NOTICE[change.to];
    await notify(mailContext(deps), {
      messageKey: `partnership:${partnershipId}:${change.to}:${change.at}`,
      template: `partnership-${notice}`,
      about: p,
      dueAt: change.at,
      recipients: asRecipients(audienceOf(p.members, 'lifecycleChange')),
      target: pages.partnership(partnershipId),
      render: (timeZone, link) =>
        partnershipLifecycle(notice, {
          partnershipName: p.name,
          at: change.at,
          reason: change.reason,
          nextReviewAt: next?.scheduledAt.getTime() ?? null,
          deadlines,
          timeZone,
          link,
        }),
    });
  }

  return {
    async activatePartnership(partnershipId: string, actor?: Actor): Promise<void> {
      const found = await db.partnership.updateMany({
        where: { id: partnershipId, status: 'planning' },
        data: { status: 'active' },
      });
      if (found.count === 0 && !(await db.partnership.findUnique({ where: { id: partnershipId }, select: { id: true } }))) {
        throw notFound(`partnership ${partnershipId}`);
      }
      await recordEvent(db, partnershipId, `partnership:${partnershipId}:activated`, 'partnership.activated', {}, actor);
    },

    /** Pause, resume or end. Reviews that can no longer happen as planned are closed as skipped. */
    async recordLifecycle(partnershipId: string, change: LifecycleChange): Promise<void> {
      const at = new Date(change.at);
      const ending = change.to === 'completed' || change.to === 'ended_early';
      // Resuming closes reviews whose time passed during the pause; ending closes all upcoming ones.
      const closes = ending || change.to === 'active';
      const reason = ending ? 'the partnership ended' : 'the partnership was paused';
      const eventKey = `partnership:${partnershipId}:${change.to}:${change.at}`;
      await db.$transaction(async (tx) => {
        const before = await tx.partnership.findUniqueOrThrow({ where: { id: partnershipId }, select: { pausedAt: true, timeZone: true } });
        const moved = await tx.partnership.updateMany({
          where: { id: partnershipId, status: { in: LIFECYCLE_FROM[change.to] } },
          data: {
            status: change.to,
            pausedAt: change.to === 'paused' ? at : null,
            ...(ending && { endedAt: at, endedReason: change.reason ?? null }),
          },
        });
        // Nothing moved: either this very change was recorded by an earlier attempt, or it no longer fits.
        if (moved.count === 0 && !(await tx.partnershipEvent.findUnique({ where: { idempotencyKey: eventKey }, select: { id: true } }))) {
          const { status } = await tx.partnership.findUniqueOrThrow({ where: { id: partnershipId }, select: { status: true } });
          throw ApplicationFailure.nonRetryable(`the partnership is ${status}; it cannot become ${change.to}`, 'InvalidTransition');
        }
        if (closes) {
          await tx.review.updateMany({
            where: { partnershipId, status: 'scheduled', ...(change.to === 'active' && { scheduledAt: { lt: at } }) },
            data: { status: 'skipped', skipReason: reason, outcomeAt: at, calendarSequence: { increment: 1 } },
          });
        }
        await recordEvent(
          tx,
          partnershipId,
          eventKey,
          `partnership.${change.to}`,
          {
            ...(change.reason && { reason: change.reason }),
          },
          change.actor,
        );
        if (moved.count === 0) return;
        // Open commitments and evidence requests move past the pause, or close with the partnership.
        if (change.to === 'active' && before.pausedAt) {
          const input = {
            partnershipId,
            pausedAt: before.pausedAt.getTime(),
            resumedAt: change.at,
            timeZone: before.timeZone,
            actor: change.actor,
          };
          await moveDeadlinesAfterPause(tx, input);
        }
        if (ending) {
          const note = change.reason ? `The partnership ended: ${change.reason}` : 'The partnership was completed';
          await closeDeadlinesAtEnd(tx, { partnershipId, at: change.at, note, actor: change.actor });
          await endCyclesAtEnd(tx, { partnershipId, at: change.at, note, actor: change.actor });
        }
      });
      if (change.to === 'active' || ending) await replanDeadlines(db, partnershipId, at);
      if (change.to === 'active') {
        // The pause's start, from its event's key (found again, so that a retry after the commit tells the same).
        const paused = await db.partnershipEvent.findFirst({
          where: { partnershipId, idempotencyKey: { startsWith: `partnership:${partnershipId}:paused:` }, occurredAt: { lte: at } },
          orderBy: { occurredAt: 'desc' },
          select: { idempotencyKey: true },
        });
        const pausedAt = Number(paused?.idempotencyKey.split(':').at(-1));
        if (Number.isFinite(pausedAt)) await resumeReflections(db, partnershipId, change.at - pausedAt);
      }
      if (ending) await reloadEndedCycles(db, partnershipId, at);
      await announce(partnershipId, change, closes ? reason : null);
    },
  };
}

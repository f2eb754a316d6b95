import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { z } from 'zod';
import { NotFoundError, ValidationError } from '../../lib/errors.js';
import { sendUpdate } from '../../lib/temporal/updates.js';
import { parseOrThrow } from '../../lib/validation.js';
import { partnershipWorkflowId } from '../../workflows/ids.js';
import {
  activateUpdate,
  changeRecurrenceUpdate,
  endUpdate,
  type PartnershipStatus,
  pauseUpdate,
  recordOutcomeUpdate,
  rescheduleReviewUpdate,
  resumeUpdate,
} from '../../workflows/partnerships/messages.js';
import { assertFuture } from '../deadlines/due.js';
import type { CoreDeps } from '../deps.js';
import { actorOf, type Principal } from '../people/principal.js';
import { assertLeads, assertManages, partnershipScope } from '../people/rights.js';
import type { Blackout } from './recurrence.js';
import { firstReviewOf } from './schedule.js';
import { changeRecurrenceBody, endBody, type OutcomeInput, outcomeInput, pauseBody, rescheduleBody } from './schemas.js';

/**
 * What people do to a partnership's plan and reviews, for the API and the pages alike: each checks
 * the principal's rights (api/people/rights.ts), then asks the partnership's workflow, which
 * validates the transition (a refused one is a 409 and changes nothing) and records it, naming the
 * actor.
 */

type Deps = Pick<CoreDeps, 'db' | 'temporal'>;

async function partnershipFor(deps: Deps, p: Principal, id: string) {
  const partnership = await deps.db.partnership.findFirst({
    where: { AND: [{ id }, partnershipScope(p)] },
    select: { id: true, districtId: true, partnerId: true, cohortId: true, timeZone: true, blackouts: true },
  });
  if (!partnership) throw new NotFoundError(`Partnership ${id} does not exist`);
  return partnership;
}

const send = (deps: Deps, id: string, update: (h: WorkflowHandle) => Promise<PartnershipStatus>) =>
  sendUpdate(deps.temporal, partnershipWorkflowId(id), 'The partnership has ended; its plan can no longer change', update);

export async function pausePartnership(deps: Deps, p: Principal, id: string, input: z.input<typeof pauseBody>) {
  const request = parseOrThrow(pauseBody, input, 'request');
  const partnership = await partnershipFor(deps, p, id);
  await assertManages(deps.db, p, partnership, 'pause it');
  return send(deps, id, (h) => h.executeUpdate(pauseUpdate, { args: [{ ...request, actor: actorOf(p) }] }));
}

export async function activatePartnership(deps: Deps, p: Principal, id: string) {
  const partnership = await partnershipFor(deps, p, id);
  await assertManages(deps.db, p, partnership, 'activate it');
  return send(deps, id, (h) => h.executeUpdate(activateUpdate, { args: [{ actor: actorOf(p) }] }));
}

export async function resumePartnership(deps: Deps, p: Principal, id: string) {
  const partnership = await partnershipFor(deps, p, id);
  await assertManages(deps.db, p, partnership, 'resume it');
  return send(deps, id, (h) => h.executeUpdate(resumeUpdate, { args: [{ actor: actorOf(p) }] }));
}

export async function endPartnership(deps: Deps, p: Principal, id: string, input: z.input<typeof endBody>) {
  const request = parseOrThrow(endBody, input, 'request');
  const partnership = await partnershipFor(deps, p, id);
  await assertManages(deps.db, p, partnership, 'end it');
  return send(deps, id, (h) => h.executeUpdate(endUpdate, { args: [{ ...request, actor: actorOf(p) }] }));
}

export async function changeRecurrence(deps: Deps, p: Principal, id: string, input: z.input<typeof changeRecurrenceBody>) {
  const request = parseOrThrow(changeRecurrenceBody, input, 'request');
  const partnership = await partnershipFor(deps, p, id);
  await assertManages(deps.db, p, partnership, 'change its recurrence');
  const rrule = request.recurrence.rrule.replace(/^RRULE:/i, '');
  const blackouts = request.blackouts ?? (partnership.blackouts as unknown as Blackout[]);
  firstReviewOf({ rrule, start: request.recurrence.start, timeZone: partnership.timeZone, blackouts }, Date.now());
  return send(deps, id, (h) =>
    h.executeUpdate(changeRecurrenceUpdate, {
      args: [{ rrule, start: request.recurrence.start, blackouts: request.blackouts, actor: actorOf(p) }],
    }),
  );
}

export async function rescheduleReview(deps: Deps, p: Principal, id: string, reviewId: string, input: z.input<typeof rescheduleBody>) {
  const { at } = parseOrThrow(rescheduleBody, input, 'request');
  const partnership = await partnershipFor(deps, p, id);
  await assertLeads(deps.db, p, partnership, 'reschedule a review');
  return send(deps, id, (h) => h.executeUpdate(rescheduleReviewUpdate, { args: [{ reviewId, at: Date.parse(at), actor: actorOf(p) }] }));
}

export type { OutcomeInput };

type PledgeOwner = { id: string } | { email: string };

/**
 * Records a review held (with what it pledged: created by the workflow together with the outcome,
 * under ids given here) or skipped.
 */
export async function recordOutcome(deps: Deps, p: Principal, id: string, reviewId: string, raw: OutcomeInput) {
  const input = parseOrThrow(outcomeInput, raw, 'outcome');
  const partnership = await partnershipFor(deps, p, id);
  await assertLeads(deps.db, p, partnership, "record a review's outcome");
  const actor = actorOf(p);
  if (input.outcome === 'skipped') {
    const status = await send(deps, id, (h) => h.executeUpdate(recordOutcomeUpdate, { args: [{ ...input, reviewId, actor }] }));
    return { status, created: { commitments: [] as string[], evidenceRequests: [] as string[] } };
  }
  assertFuture(
    [
      ...input.commitments.map((c, i) => ({ path: `commitments.${i}.dueAt`, at: c.dueAt })),
      ...input.evidenceRequests.map((e, i) => ({ path: `evidenceRequests.${i}.dueAt`, at: e.dueAt })),
    ],
    Date.now(),
  );
  const members = await deps.db.partnershipMember.findMany({ where: { partnershipId: id }, include: { person: true } });
  const memberOf = (owner: PledgeOwner, path: string) => {
    const m = members.find((x) => ('id' in owner ? x.personId === owner.id : x.person.email === owner.email));
    if (!m)
      throw new ValidationError(`${'id' in owner ? owner.id : owner.email} is not a member of the partnership`, [
        { path, message: 'is not a member of this partnership' },
      ]);
    return m;
  };
  const commitments = input.commitments.map(({ owner, side, ...c }, i) => {
    const m = memberOf(owner, `commitments.${i}.${'id' in owner ? 'ownerId' : 'ownerEmail'}`);
    return { ...c, id: randomUUID(), ownerId: m.personId, side: side ?? m.side, dueAt: Date.parse(c.dueAt) };
  });
  const evidenceRequests = input.evidenceRequests.map(({ owner, ...e }, i) => ({
    ...e,
    id: randomUUID(),
    ownerId: memberOf(owner, `evidenceRequests.${i}.${'id' in owner ? 'ownerId' : 'ownerEmail'}`).personId,
    dueAt: Date.parse(e.dueAt),
  }));
  const status = await send(deps, id, (h) =>
    h.executeUpdate(recordOutcomeUpdate, { args: [{ ...input, reviewId, commitments, evidenceRequests, actor }] }),
  );
  return { status, created: { commitments: commitments.map((c) => c.id), evidenceRequests: evidenceRequests.map((e) => e.id) } };
}

export async function setMemberNotifications(deps: Deps, p: Principal, id: string, personId: string, notifications: 'all' | 'essential') {
  const partnership = await partnershipFor(deps, p, id);
  if (!(p.kind === 'person' && p.id === personId)) await assertManages(deps.db, p, partnership, "change a member's notifications");
  const { count } = await deps.db.partnershipMember.updateMany({ where: { partnershipId: id, personId }, data: { notifications } });
  if (count === 0) throw new NotFoundError(`Person ${personId} is not a member of partnership ${id}`);
  return deps.db.partnershipMember.findUniqueOrThrow({
    where: { partnershipId_personId: { partnershipId: id, personId } },
    include: { person: true },
  });
}

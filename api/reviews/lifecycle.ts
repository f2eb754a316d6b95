import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { Blackout } from '../../activities/reviews/recurrence.js';
import type { Caller } from '../../lib/auth/api-keys.js';
import { NotFoundError } from '../../lib/errors.js';
import { sendUpdate } from '../../lib/temporal/updates.js';
import { partnershipWorkflowId } from '../../workflows/ids.js';
import {
  changeRecurrenceUpdate,
  endUpdate,
  type PartnershipStatus,
  pauseUpdate,
  recordOutcomeUpdate,
  rescheduleReviewUpdate,
  resumeUpdate,
} from '../../workflows/reviews/partnership.js';
import { assertFuture } from '../deadlines/deadline.js';
import { type RouteDeps, route } from '../http/route.js';
import { uuidParam } from '../http/schemas.js';
import { visiblePartnershipId } from '../people/scope.js';
import { loadPartnership, memberByEmail } from './partnership.js';
import { liveStatusJson } from './partnerships.js';
import { firstReviewOf } from './schedule.js';
import {
  changeRecurrenceBody,
  endBody,
  memberParams,
  memberPreferencesBody,
  outcomeBody,
  pauseBody,
  rescheduleBody,
  reviewParams,
} from './schemas.js';

/**
 * A change to a partnership's plan: an update to its workflow, which validates the transition first
 * (a rejected one is a 409 and changes nothing) and records it in the database.
 */
async function update(
  deps: RouteDeps,
  caller: Caller,
  partnershipId: string,
  send: (handle: WorkflowHandle) => Promise<PartnershipStatus>,
) {
  const id = await visiblePartnershipId(deps.db, caller, partnershipId);
  const status = await sendUpdate(
    deps.temporal,
    partnershipWorkflowId(id),
    'The partnership has ended; its plan can no longer change',
    send,
  );
  return { body: liveStatusJson(status) };
}

const statusResponse = { 200: { description: "The partnership's live state after the change" } };

export const lifecycleRoutes = [
  route({
    method: 'post',
    path: '/partnerships/:id/pause',
    operationId: 'pausePartnership',
    summary: 'Pause a partnership',
    description: 'No reminders go out and no review is marked missed until it is resumed.',
    tag: 'Lifecycle',
    access: 'manager',
    params: uuidParam,
    body: pauseBody,
    bodyOptional: true,
    errors: [404, 409],
    responses: statusResponse,
    handle: ({ params, body, caller, deps }) => update(deps, caller, params.id, (h) => h.executeUpdate(pauseUpdate, { args: [body] })),
  }),
  route({
    method: 'post',
    path: '/partnerships/:id/resume',
    operationId: 'resumePartnership',
    summary: 'Resume a partnership',
    tag: 'Lifecycle',
    access: 'manager',
    params: uuidParam,
    errors: [404, 409],
    responses: statusResponse,
    handle: ({ params, caller, deps }) => update(deps, caller, params.id, (h) => h.executeUpdate(resumeUpdate)),
  }),
  route({
    method: 'post',
    path: '/partnerships/:id/end',
    operationId: 'endPartnership',
    summary: 'End a partnership',
    tag: 'Lifecycle',
    access: 'manager',
    params: uuidParam,
    body: endBody,
    errors: [404, 409],
    responses: statusResponse,
    handle: ({ params, body, caller, deps }) => update(deps, caller, params.id, (h) => h.executeUpdate(endUpdate, { args: [body] })),
  }),
  route({
    method: 'post',
    path: '/partnerships/:id/reviews/:reviewId/reschedule',
    operationId: 'rescheduleReview',
    summary: 'Reschedule a review',
    tag: 'Reviews',
    access: 'member',
    params: reviewParams,
    body: rescheduleBody,
    errors: [404, 409],
    responses: statusResponse,
    handle: ({ params, body, caller, deps }) =>
      update(deps, caller, params.id, (h) =>
        h.executeUpdate(rescheduleReviewUpdate, { args: [{ reviewId: params.reviewId, at: Date.parse(body.at) }] }),
      ),
  }),
  route({
    method: 'post',
    path: '/partnerships/:id/reviews/:reviewId/outcome',
    operationId: 'recordReviewOutcome',
    summary: 'Record the outcome of a review',
    description:
      'Held (notes, decisions, the commitments and evidence requests it pledges) or skipped (with a reason). What a held review pledges is created by the workflow together with the outcome.',
    tag: 'Reviews',
    access: 'member',
    params: reviewParams,
    body: outcomeBody,
    errors: [404, 409],
    responses: statusResponse,
    async handle({ params, body: outcome, caller, deps }) {
      const { id, reviewId } = params;
      if (outcome.outcome === 'skipped') {
        return update(deps, caller, id, (h) => h.executeUpdate(recordOutcomeUpdate, { args: [{ ...outcome, reviewId }] }));
      }
      // What a held review pledges is checked here and created by the workflow, under ids given now,
      // so that it exists exactly when the outcome does.
      const partnership = await loadPartnership(deps.db, caller, id);
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
      const { body } = await update(deps, caller, id, (h) =>
        h.executeUpdate(recordOutcomeUpdate, { args: [{ ...outcome, reviewId, commitments, evidenceRequests }] }),
      );
      return {
        body: { ...body, created: { commitments: commitments.map((c) => c.id), evidenceRequests: evidenceRequests.map((e) => e.id) } },
      };
    },
  }),
  route({
    method: 'post',
    path: '/partnerships/:id/recurrence',
    operationId: 'changeRecurrence',
    summary: 'Change the review recurrence',
    description: 'Replans the reviews that have not happened yet; the blackouts are replaced when given.',
    tag: 'Lifecycle',
    access: 'manager',
    params: uuidParam,
    body: changeRecurrenceBody,
    errors: [404, 409],
    responses: statusResponse,
    async handle({ params, body, caller, deps }) {
      const { recurrence, blackouts } = body;
      const id = await visiblePartnershipId(deps.db, caller, params.id);
      const partnership = await deps.db.partnership.findUniqueOrThrow({ where: { id } });
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
      return update(deps, caller, id, (h) =>
        h.executeUpdate(changeRecurrenceUpdate, { args: [{ rrule, start: recurrence.start, blackouts }] }),
      );
    },
  }),
  route({
    method: 'patch',
    path: '/partnerships/:id/members/:personId',
    operationId: 'setMemberPreferences',
    summary: "Change a member's notification preferences",
    description: 'Read when each message is sent, so no workflow is involved.',
    tag: 'People',
    access: 'manager',
    params: memberParams,
    body: memberPreferencesBody,
    errors: [404],
    responses: { 200: { description: 'The member' } },
    async handle({ params, body, caller, deps }) {
      const id = await visiblePartnershipId(deps.db, caller, params.id);
      const { count } = await deps.db.partnershipMember.updateMany({
        where: { partnershipId: id, personId: params.personId },
        data: { notifications: body.notifications },
      });
      if (count === 0) throw new NotFoundError(`Person ${params.personId} is not a member of partnership ${id}`);
      const member = await deps.db.partnershipMember.findUniqueOrThrow({
        where: { partnershipId_personId: { partnershipId: id, personId: params.personId } },
        include: { person: true },
      });
      return {
        body: {
          personId: member.personId,
          name: member.person.name,
          email: member.person.email,
          role: member.role,
          notifications: member.notifications,
        },
      };
    },
  }),
];

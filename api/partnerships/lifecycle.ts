import {
  activatePartnership,
  changeRecurrence,
  endPartnership,
  pausePartnership,
  resumePartnership,
} from '../../core/partnerships/lifecycle.js';
import { setMemberNotifications } from '../../core/partnerships/member-settings.js';
import { activateBody, endBody, memberPreferencesBody, pauseBody } from '../../core/partnerships/schemas.js';
import { memberJson } from '../../core/people/roster.js';
import { changeRecurrenceBody } from '../../core/reviews/schemas.js';
import { route, tagged } from '../http/route.js';
import { liveStatusJson } from './partnerships.js';

const statusResponse = { 200: { description: "The partnership's live state after the change" } };

export const lifecycleRoutes = tagged('Lifecycle', [
  route('POST /partnerships/:id/activate', {
    operationId: 'activatePartnership',
    summary: 'Activate a partnership in planning',
    description:
      'Starts its reviews, reminders and invitations now, before its plannedStart if it has one. With planning questions unanswered (GET /partnerships/{id}/planning) it is a 409 saying how many, unless `despiteUnanswered` is true.',
    access: 'manager',
    body: activateBody,
    bodyOptional: true,
    errors: [404, 409],
    responses: statusResponse,
    handle: async ({ params, body, caller, deps }) => ({
      body: liveStatusJson(await activatePartnership(deps, caller, params.id, body)),
    }),
  }),
  route('POST /partnerships/:id/pause', {
    operationId: 'pausePartnership',
    summary: 'Pause a partnership',
    description:
      'Nothing about it is sent and no review is marked missed until it is resumed; resuming moves its open commitments and evidence requests by the length of the pause.',
    access: 'manager',
    body: pauseBody,
    bodyOptional: true,
    errors: [404, 409],
    responses: statusResponse,
    handle: async ({ params, body, caller, deps }) => ({ body: liveStatusJson(await pausePartnership(deps, caller, params.id, body)) }),
  }),
  route('POST /partnerships/:id/resume', {
    operationId: 'resumePartnership',
    summary: 'Resume a partnership',
    access: 'manager',
    errors: [404, 409],
    responses: statusResponse,
    handle: async ({ params, caller, deps }) => ({ body: liveStatusJson(await resumePartnership(deps, caller, params.id)) }),
  }),
  route('POST /partnerships/:id/end', {
    operationId: 'endPartnership',
    summary: 'End a partnership',
    access: 'manager',
    body: endBody,
    errors: [404, 409],
    responses: statusResponse,
    handle: async ({ params, body, caller, deps }) => ({ body: liveStatusJson(await endPartnership(deps, caller, params.id, body)) }),
  }),
  route('POST /partnerships/:id/recurrence', {
    operationId: 'changeRecurrence',
    summary: 'Change the review recurrence',
    description: 'Replans the reviews that have not happened yet; the blackouts are replaced when given.',
    access: 'manager',
    body: changeRecurrenceBody,
    errors: [404, 409],
    responses: statusResponse,
    handle: async ({ params, body, caller, deps }) => ({ body: liveStatusJson(await changeRecurrence(deps, caller, params.id, body)) }),
  }),
  route('PATCH /partnerships/:id/members/:personId', {
    operationId: 'setMemberPreferences',
    summary: "Change a member's notification preferences",
    description: 'Read when each message is sent, so no workflow is involved.',
    tag: 'People',
    access: 'manager',
    body: memberPreferencesBody,
    errors: [404],
    responses: { 200: { description: 'The member' } },
    async handle({ params, body, caller, deps }) {
      return { body: memberJson(await setMemberNotifications(deps, caller, params.id, params.personId, body.notifications)) };
    },
  }),
]);

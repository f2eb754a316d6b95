import { z } from 'zod';
import {
  addMember,
  changeMemberRole,
  handOver,
  handOverBody,
  memberJson,
  memberRole,
  newMember,
  removeMember,
} from '../../core/people/roster.js';
import { route, tagged } from '../http/route.js';

const memberResponse = { description: 'The member' };

export const rosterRoutes = tagged('People', [
  route('POST /partnerships/:id/members', {
    operationId: 'addMember',
    summary: 'Add a member to a partnership',
    description: 'Someone new to Tandem is created (staff of their side); they get the partnership’s mail from now on.',
    access: 'manager',
    body: newMember,
    errors: [404, 409],
    responses: { 201: memberResponse },
    handle: async ({ params, body, caller, deps }) => ({ body: memberJson(await addMember(deps, caller, params.id, body)) }),
  }),
  route('POST /partnerships/:id/members/:personId/role', {
    operationId: 'changeMemberRole',
    summary: "Change a member's role",
    description: 'A partnership keeps at least one district or partner lead.',
    access: 'manager',
    body: z.object({ role: memberRole }).strict(),
    errors: [404, 409],
    responses: { 200: memberResponse },
    handle: async ({ params, body, caller, deps }) => ({
      body: memberJson(await changeMemberRole(deps, caller, params.id, params.personId, body.role)),
    }),
  }),
  route('POST /partnerships/:id/members/:personId/remove', {
    operationId: 'removeMember',
    summary: 'Remove a member from a partnership',
    description: 'Refused while they own open commitments or evidence requests (hand them over first), or when they are the last lead.',
    access: 'manager',
    errors: [404, 409],
    responses: { 200: { description: 'Removed' } },
    handle: async ({ params, caller, deps }) => {
      await removeMember(deps, caller, params.id, params.personId);
      return { body: { removed: params.personId } };
    },
  }),
  route('POST /partnerships/:id/members/:personId/handover', {
    operationId: 'handOverWork',
    summary: "Hand a member's open work to another member",
    description:
      'Every open commitment and evidence request of the member becomes `to`’s, each recorded in the timeline, and both are told by mail. With `leaves: true` the member also leaves the partnership, in the same step.',
    access: 'manager',
    body: handOverBody,
    errors: [404, 409],
    responses: { 200: { description: 'How many items were handed over' } },
    handle: async ({ params, body, caller, deps }) => ({ body: await handOver(deps, caller, params.id, params.personId, body) }),
  }),
]);

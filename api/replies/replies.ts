import { z } from 'zod';
import { loadPartnership } from '../../core/people/members.js';
import { seesRepliesNotUnderstood, standingIn } from '../../core/people/rights.js';
import { repliesNotUnderstood } from '../../core/replies/receive.js';
import { ForbiddenError } from '../../lib/errors.js';
import { route, tagged } from '../http/route.js';

export const replyRoutes = tagged('Replies', [
  route('GET /partnerships/:id/replies', {
    operationId: 'listRepliesNotUnderstood',
    summary: 'List replies Tandem did not understand',
    description:
      'Replies by mail to the partnership\'s messages that Tandem could not act on (neither "done" nor "need until" a date, an empty reflection, evidence without a file), newest first, 20 at most: what the partnership\'s page shows its leads, to follow up. Each was answered to its sender with the link to act. For the partnership\'s leads and those who manage it.',
    access: 'member',
    errors: [403, 404],
    responses: {
      200: {
        description: 'The replies, newest first',
        schema: z.object({
          items: z.array(
            z.object({
              id: z.uuid(),
              from: z.string(),
              person: z.object({ id: z.uuid(), name: z.string() }).nullable(),
              subject: z.string(),
              text: z.string(),
              receivedAt: z.string(),
            }),
          ),
        }),
      },
    },
    async handle({ params, caller, deps }) {
      const partnership = await loadPartnership(deps.db, caller, params.id);
      if (!seesRepliesNotUnderstood(await standingIn(deps.db, caller, partnership))) {
        throw new ForbiddenError("Only the partnership's leads see the replies Tandem did not understand");
      }
      const replies = await repliesNotUnderstood(deps.db, partnership.id);
      return {
        body: {
          items: replies.map((r) => ({
            id: r.id,
            from: r.fromAddress,
            person: r.personId && r.person ? { id: r.personId, name: r.person.name } : null,
            subject: r.subject,
            text: r.text,
            receivedAt: r.receivedAt.toISOString(),
          })),
        },
      };
    },
  }),
]);

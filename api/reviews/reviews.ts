import { type OutcomeInput, recordOutcome, rescheduleReview } from '../../core/reviews/commands.js';
import { outcomeBody, rescheduleBody } from '../../core/reviews/schemas.js';
import { route, tagged } from '../http/route.js';
import { liveStatusJson } from '../partnerships/partnerships.js';

const statusResponse = { 200: { description: "The partnership's live state after the change" } };

/** A review: moved, or its outcome recorded (held with what it pledges, or skipped). */
export const reviewRoutes = tagged('Reviews', [
  route('POST /partnerships/:id/reviews/:reviewId/reschedule', {
    operationId: 'rescheduleReview',
    summary: 'Reschedule a review',
    access: 'member',
    body: rescheduleBody,
    errors: [404, 409],
    responses: statusResponse,
    handle: async ({ params, body, caller, deps }) => ({
      body: liveStatusJson(await rescheduleReview(deps, caller, params.id, params.reviewId, { at: body.at })),
    }),
  }),
  route('POST /partnerships/:id/reviews/:reviewId/outcome', {
    operationId: 'recordReviewOutcome',
    summary: 'Record the outcome of a review',
    description:
      'Held (notes, decisions, the commitments and evidence requests it pledges) or skipped (with a reason). What a held review pledges is created by the workflow together with the outcome. Sent while the review is still being planned (its invitations going out), the outcome is judged and recorded once the plan is known; 409 when the review does not take it (not the upcoming review, recorded already, held before it takes place).',
    access: 'member',
    body: outcomeBody,
    errors: [404, 409],
    responses: statusResponse,
    async handle({ params, body, caller, deps }) {
      const input: OutcomeInput =
        body.outcome === 'skipped'
          ? body
          : {
              ...body,
              commitments: body.commitments.map(({ ownerEmail, ...c }) => ({ ...c, owner: { email: ownerEmail } })),
              evidenceRequests: body.evidenceRequests.map(({ ownerEmail, ...e }) => ({ ...e, owner: { email: ownerEmail } })),
            };
      const { status, created } = await recordOutcome(deps, caller, params.id, params.reviewId, input);
      return { body: { ...liveStatusJson(status), created } };
    },
  }),
]);

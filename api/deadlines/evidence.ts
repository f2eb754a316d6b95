import { z } from 'zod';
import { extendEvidenceRequest, submitEvidence, waiveEvidenceRequest } from '../../core/deadlines/commands.js';
import { createEvidenceRequest } from '../../core/deadlines/create.js';
import { reviewEvidence } from '../../core/deadlines/evidence-review.js';
import { createEvidenceRequestBody, reasonBody, reviewEvidenceBody, submitEvidenceBody } from '../../core/deadlines/schemas.js';
import type { EvidenceItem, EvidenceRequest, EvidenceReview, Prisma } from '../../generated/prisma/client.js';
import { evidenceStatusQuery } from '../../workflows/deadlines/messages.js';
import { evidenceWorkflowId } from '../../workflows/ids.js';
import { route, tagged } from '../http/route.js';
import { changedResponse, deadlineRoutes } from './deadline.js';

const requestJson = (r: EvidenceRequest) => ({
  id: r.id,
  partnershipId: r.partnershipId,
  reviewId: r.reviewId,
  ownerId: r.ownerId,
  description: r.description,
  kinds: r.kinds,
  dueAt: r.dueAt.toISOString(),
  status: r.status,
  closedAt: r.closedAt?.toISOString() ?? null,
  closeNote: r.closeNote,
  acceptedAt: r.acceptedAt?.toISOString() ?? null,
});

const reviewJson = (v: EvidenceReview) => ({
  id: v.id,
  verdict: v.verdict,
  comment: v.comment,
  dueAt: v.dueAt?.toISOString() ?? null,
  rubric: v.rubric,
  by: { kind: v.actor, id: v.actorId, name: v.actorName, onBehalfOf: v.onBehalfOfName },
  at: v.createdAt.toISOString(),
});

const itemJson = (i: EvidenceItem) => ({
  id: i.id,
  kind: i.kind,
  link: i.link,
  text: i.text,
  submittedById: i.submittedById,
  submittedAt: i.submittedAt.toISOString(),
});

const evidenceRequestSchema = z
  .object({
    id: z.uuid(),
    partnershipId: z.uuid(),
    reviewId: z.uuid().nullable(),
    ownerId: z.uuid(),
    description: z.string(),
    kinds: z.array(z.string()),
    dueAt: z.string(),
    status: z.enum(['open', 'overdue', 'submitted', 'waived']),
    closedAt: z.string().nullable(),
    closeNote: z.string().nullable(),
    acceptedAt: z.string().nullable().meta({ description: 'When a lead accepted what was submitted.' }),
  })
  .meta({ id: 'EvidenceRequest' });

const changed = changedResponse('evidence request', evidenceRequestSchema);

/**
 * Evidence requests: what a partnership asked to see (observations, survey results, minutes...),
 * tracked by the deadline workflow until the first item arrives or it is waived. Items sent after
 * that are kept as further sources of evidence.
 */
export const evidenceRoutes = tagged('Evidence', [
  ...deadlineRoutes({
    path: '/evidence-requests',
    name: 'EvidenceRequest',
    one: 'evidence request',
    a: 'an evidence request',
    many: 'evidence requests',
    schema: evidenceRequestSchema,
    statuses: ['open', 'overdue', 'submitted', 'waived'],
    json: requestJson,
    create: { summary: 'Request evidence', body: createEvidenceRequestBody, run: createEvidenceRequest },
    list: (db, where, k) =>
      db.evidenceRequest.findMany({
        where: { AND: [where, k.where as Prisma.EvidenceRequestWhereInput] },
        orderBy: k.orderBy,
        take: k.take,
      }),
    detail: (db, id) =>
      db.evidenceRequest.findUniqueOrThrow({
        where: { id },
        include: {
          items: { orderBy: { submittedAt: 'asc' } },
          extensions: { orderBy: { createdAt: 'asc' } },
          reviews: { orderBy: { createdAt: 'asc' } },
        },
      }),
    detailJson: (r) => ({ items: r.items.map(itemJson), reviews: r.reviews.map(reviewJson) }),
    getDescription:
      "With the items received, its extensions, the leads' verdicts on what was submitted and, while it is open, the next notice its workflow will send.",
    live: (temporal, id) => temporal.workflow.getHandle(evidenceWorkflowId(id)).query(evidenceStatusQuery),
    extend: extendEvidenceRequest,
  }),
  route('POST /evidence-requests/:id/items', {
    operationId: 'submitEvidenceItem',
    summary: 'Submit an item of evidence',
    description: 'The first item closes the request as submitted; later ones are kept as further sources of evidence.',
    access: 'member',
    body: submitEvidenceBody,
    errors: [404, 409],
    responses: { 201: { description: 'The item, as stored' } },
    async handle({ params, body, caller, deps }) {
      const stored = await submitEvidence(deps, caller, params.id, body);
      return { location: `/evidence-requests/${params.id}`, body: itemJson(stored) };
    },
  }),
  route('POST /evidence-requests/:id/review', {
    operationId: 'reviewEvidenceRequest',
    summary: 'Accept submitted evidence, or send it back',
    description:
      'A lead other than its owner looks at what was submitted: `accepted`, or `sent_back` with what to change (`comment`) and a new due time; sent back, the request reopens, its deadline workflow starts again and its owner is told by mail. Once per submission: a second verdict is a 409, and so is sending back evidence of a partnership that has ended (it can still be accepted).',
    access: 'member',
    body: reviewEvidenceBody,
    errors: [403, 404, 409, 503],
    responses: { 200: { description: 'The request as it now stands, and the verdict recorded' } },
    async handle({ params, body, caller, deps }) {
      const { request, review } = await reviewEvidence(deps, caller, params.id, body);
      return { body: { request: requestJson(request), review: reviewJson(review) } };
    },
  }),
  route('POST /evidence-requests/:id/waive', {
    operationId: 'waiveEvidenceRequest',
    summary: 'Waive an evidence request',
    access: 'member',
    body: reasonBody,
    errors: [404, 409],
    responses: changed,
    handle: async ({ params, body, caller, deps }) => ({ body: requestJson(await waiveEvidenceRequest(deps, caller, params.id, body)) }),
  }),
]);

import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { Db } from '../../lib/db/client.js';
import { ConflictError, NotFoundError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { reflectionWorkflowId } from '../../workflows/ids.js';
import { reflectionSubmittedSignal } from '../../workflows/reflections/messages.js';
import { route } from '../http/route.js';
import { email, uuidParam } from '../http/schemas.js';
import { visibleOwner } from '../people/scope.js';

const submitReflectionBody = z
  .object({
    email,
    whatWorked: z.string().trim().min(1).max(10_000),
    whatDidnt: z.string().trim().min(1).max(10_000),
    howToImprove: z.string().trim().min(1).max(10_000),
  })
  .strict();

export interface ReflectionAnswers {
  email: string;
  whatWorked: string;
  whatDidnt: string;
  howToImprove: string;
}

/**
 * Records one member's reflection on a review while its window is open, then tells the review's
 * reflection workflow, which stops reminding them. The database write is the record: if the signal
 * cannot be delivered, reminders still skip whoever has answered.
 */
export async function submitReflection(deps: { db: Db; temporal: Client; logger: Logger }, reviewId: string, answers: ReflectionAnswers) {
  const row = await deps.db.reflection.findFirst({
    where: { reviewId, person: { email: answers.email } },
    include: { review: true },
  });
  if (!row) {
    if (!(await deps.db.review.findUnique({ where: { id: reviewId }, select: { id: true } })))
      throw new NotFoundError(`Review ${reviewId} does not exist`);
    throw new NotFoundError(`No reflection was asked of ${answers.email} for review ${reviewId}`);
  }
  if (row.review.reflectionsClosedAt) throw new ConflictError('The reflection window for this review has closed');
  const { count } = await deps.db.reflection.updateMany({
    where: { id: row.id, submittedAt: null },
    data: { whatWorked: answers.whatWorked, whatDidnt: answers.whatDidnt, howToImprove: answers.howToImprove, submittedAt: new Date() },
  });
  if (count === 0) throw new ConflictError('This reflection was already submitted');
  await deps.temporal.workflow
    .getHandle(reflectionWorkflowId(reviewId))
    .signal(reflectionSubmittedSignal, { personId: row.personId })
    .catch((err) => deps.logger.warn({ err, reviewId }, 'could not signal the reflection workflow'));
  return deps.db.reflection.findUniqueOrThrow({ where: { id: row.id } });
}

export const reflectionRoutes = [
  route({
    method: 'post',
    path: '/reviews/:id/reflections',
    operationId: 'submitReflection',
    summary: 'Submit a reflection on a review',
    description: "One member's answers; accepted once, while the review's reflection window is open.",
    tag: 'Reflections',
    access: 'member',
    params: uuidParam,
    body: submitReflectionBody,
    errors: [404, 409],
    responses: { 201: { description: 'Recorded' } },
    async handle({ params, body, caller, deps }) {
      await visibleOwner(deps.db, caller, 'review', params.id);
      const r = await submitReflection(deps, params.id, body);
      return { status: 201, body: { id: r.id, reviewId: r.reviewId, personId: r.personId, submittedAt: r.submittedAt?.toISOString() } };
    },
  }),
  route({
    method: 'get',
    path: '/reviews/:id/reflections',
    operationId: 'listReflections',
    summary: 'List the reflections on a review',
    description: 'Everyone asked, who answered, and the completion rate.',
    tag: 'Reflections',
    access: 'member',
    params: uuidParam,
    errors: [404],
    responses: { 200: { description: 'The reflections' } },
    async handle({ params, caller, deps }) {
      await visibleOwner(deps.db, caller, 'review', params.id);
      const review = await deps.db.review.findUniqueOrThrow({
        where: { id: params.id },
        include: { reflections: { include: { person: true }, orderBy: { person: { name: 'asc' } } } },
      });
      const answered = review.reflections.filter((r) => r.submittedAt).length;
      return {
        body: {
          reviewId: review.id,
          closedAt: review.reflectionsClosedAt?.toISOString() ?? null,
          asked: review.reflections.length,
          answered,
          completionRate: review.reflections.length ? answered / review.reflections.length : null,
          reflections: review.reflections.map((r) => ({
            personId: r.personId,
            name: r.person.name,
            promptedAt: r.promptedAt.toISOString(),
            submittedAt: r.submittedAt?.toISOString() ?? null,
            whatWorked: r.whatWorked,
            whatDidnt: r.whatDidnt,
            howToImprove: r.howToImprove,
          })),
        },
      };
    },
  }),
];

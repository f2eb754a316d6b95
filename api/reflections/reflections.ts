import { uuidParam } from '../../core/fields.js';
import { visibleOwner } from '../../core/people/rights.js';
import { route } from '../http/route.js';

export const reflectionRoutes = [
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

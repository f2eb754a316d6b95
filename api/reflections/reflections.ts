import { loadPartnership } from '../../core/people/members.js';
import { assertSeesCohortCheckIns, seesCheckIns, standingIn, visibleOwner } from '../../core/people/rights.js';
import { cohortCheckIns, partnershipCheckIns } from '../../core/reflections/check-ins.js';
import { CHECK_IN_DIMENSIONS, CHECK_IN_MINIMUM } from '../../core/reflections/schemas.js';
import { ForbiddenError } from '../../lib/errors.js';
import { route, tagged } from '../http/route.js';

export const reflectionRoutes = tagged('Reflections', [
  route('GET /reviews/:id/reflections', {
    operationId: 'listReflections',
    summary: 'List the reflections on a review',
    description: 'Everyone asked, who answered, and the completion rate.',
    access: 'member',
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
  route('GET /partnerships/:id/check-ins', {
    operationId: 'getPartnershipCheckIns',
    summary: "Get a partnership's check-ins",
    description: `How each side rates the partnership at each held review (relationship, content, delivery, results, communication; 1-5), oldest first: the number who answered, and each dimension's mean only from ${CHECK_IN_MINIMUM} answers of a side (null below), with the gap between the sides (district minus partner). For its leads, sponsor and those who manage it.`,
    access: 'member',
    errors: [403, 404],
    responses: { 200: { description: 'The check-ins by review' } },
    async handle({ params, caller, deps }) {
      const partnership = await loadPartnership(deps.db, caller, params.id);
      if (!seesCheckIns(await standingIn(deps.db, caller, partnership))) {
        throw new ForbiddenError("Only the partnership's leads see its check-ins");
      }
      const reviews = await partnershipCheckIns(deps.db, partnership.id);
      return {
        body: {
          minimum: CHECK_IN_MINIMUM,
          dimensions: CHECK_IN_DIMENSIONS.map((d) => d.key),
          reviews: reviews.map((r) => ({ ...r, scheduledAt: r.scheduledAt.toISOString() })),
        },
      };
    },
  }),
  route('GET /cohorts/:id/check-ins', {
    operationId: 'getCohortCheckIns',
    summary: "Get a cohort's check-ins",
    description: `Each partnership's latest review with check-ins, aggregated by side as for one partnership, and the cohort's figures from those answers pooled (a side shown only from ${CHECK_IN_MINIMUM} answers). For the cohort's coordinators and the admins.`,
    access: 'member',
    errors: [403, 404],
    responses: { 200: { description: "The cohort's check-ins" } },
    async handle({ params, caller, deps }) {
      const cohortId = await assertSeesCohortCheckIns(deps.db, caller, params.id);
      return {
        body: {
          minimum: CHECK_IN_MINIMUM,
          dimensions: CHECK_IN_DIMENSIONS.map((d) => d.key),
          ...(await cohortCheckIns(deps.db, cohortId)),
        },
      };
    },
  }),
]);

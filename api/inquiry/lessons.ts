import { z } from 'zod';
import { cohortLessons, lessonOf, lessonsToPublish, type SharedLesson, writeLesson } from '../../core/inquiry/lessons.js';
import { lessonsPdf } from '../../core/inquiry/lessons-pdf.js';
import { lessonBody } from '../../core/inquiry/schemas.js';
import type { Lesson } from '../../generated/prisma/client.js';
import { NotFoundError } from '../../lib/errors.js';
import { route, tagged } from '../http/route.js';

/** Lessons over HTTP; the rules are in core/inquiry/lessons.ts. */

const lessonJson = (l: Lesson) => ({
  id: l.id,
  cycleId: l.cycleId,
  partnershipId: l.partnershipId,
  title: l.title,
  theme: l.theme,
  tried: l.tried,
  saw: l.saw,
  next: l.next,
  sharedAt: l.sharedAt?.toISOString() ?? null,
  updatedAt: l.updatedAt.toISOString(),
  by: { kind: l.actor, id: l.actorId, name: l.actorName, onBehalfOf: l.onBehalfOfName },
});

const sharedJson = (l: SharedLesson) => ({
  ...lessonJson(l),
  partnership: l.partnership,
  cycle: { number: l.cycle.number, question: l.cycle.question, decision: l.cycle.decision },
});

const lessonsQuery = z
  .object({
    q: z.string().max(200).optional().meta({ description: 'Words each found in the lesson (title, theme or any part), any case.' }),
    theme: z.string().max(60).optional(),
  })
  .strict();

const publicationQuery = z
  .object({
    lessons: z
      .string()
      .transform((s) => s.split(','))
      .pipe(z.array(z.uuid()).min(1).max(50))
      .meta({ description: 'The shared lessons to publish, comma-separated ids, in their order.' }),
  })
  .strict();

export const lessonRoutes = tagged('Inquiry', [
  route('GET /partnerships/:id/inquiry-cycles/:cycleId/lesson', {
    operationId: 'getInquiryLesson',
    summary: "A closed inquiry cycle's lesson",
    access: 'member',
    errors: [404],
    responses: { 200: { description: 'The lesson' } },
    async handle({ params, caller, deps }) {
      const lesson = await lessonOf(deps, caller, params.id, params.cycleId);
      if (!lesson) throw new NotFoundError('This cycle has no lesson yet');
      return { body: lessonJson(lesson) };
    },
  }),
  route('PUT /partnerships/:id/inquiry-cycles/:cycleId/lesson', {
    operationId: 'writeInquiryLesson',
    summary: "Write a closed inquiry cycle's lesson",
    description:
      "What we tried, what we saw, what we'll do next, under a theme; by the reflect phase's owner or a lead on their behalf (a key names them in `onBehalfOf`, the owner by default). Written again, it is replaced. `share: true` (a lead's decision) shares it with the partnership's cohort: its page, its monthly digest, its publications. 409 while the cycle is open, or to share outside a cohort.",
    access: 'member',
    body: lessonBody,
    errors: [403, 404, 409, 503],
    responses: { 200: { description: 'The lesson as written' } },
    handle: async ({ params, body, caller, deps }) => ({
      body: lessonJson(await writeLesson(deps, caller, params.id, params.cycleId, body)),
    }),
  }),
  route('GET /cohorts/:id/lessons', {
    operationId: 'listCohortLessons',
    summary: "A cohort's shared lessons",
    description: 'By theme, then newest first; with `q`, only those in which each word is found. Also the themes with their counts.',
    access: 'member',
    query: lessonsQuery,
    errors: [404],
    responses: { 200: { description: 'The lessons and themes' } },
    async handle({ params, query, caller, deps }) {
      const found = await cohortLessons(deps, caller, params.id, query);
      return { body: { cohort: found.cohort, themes: found.themes, lessons: found.lessons.map(sharedJson) } };
    },
  }),
  route('GET /cohorts/:id/lessons/publication.pdf', {
    operationId: 'exportLessonsPdf',
    summary: 'Publish chosen lessons of a cohort as a PDF',
    description: "For the cohort's coordinators (and admins): the chosen shared lessons, in the order given, as a document to publish.",
    access: 'manager',
    query: publicationQuery,
    errors: [403, 404],
    responses: { 200: { description: 'The lessons as a PDF', contentType: 'application/pdf' } },
    async handle({ params, query, caller, deps }) {
      const { cohort, lessons } = await lessonsToPublish(deps, caller, params.id, query.lessons);
      return {
        contentType: 'application/pdf',
        filename: 'lessons.pdf',
        body: await lessonsPdf({ cohortName: cohort.name, lessons, asOf: new Date() }),
      };
    },
  }),
]);

import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { z } from 'zod';
import type { Prisma } from '../../generated/prisma/client.js';
import type { Db } from '../../lib/db/client.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../lib/errors.js';
import { startOrRollBack } from '../../lib/temporal/start.js';
import { parseOrThrow } from '../../lib/validation.js';
import { lessonDigestWorkflowId } from '../../workflows/ids.js';
import { lessonDigestWorkflow } from '../../workflows/inquiry/lesson-digest.js';
import type { CoreDeps } from '../deps.js';
import { actorColumns, recordEvent } from '../events.js';
import type { Principal } from '../people/principal.js';
import { actorForDeadline, assertCoordinates, standingIn, visibleCohortId } from '../people/rights.js';
import { cycleFor } from './commands.js';
import { lessonBody } from './schemas.js';

/**
 * A cohort that learns together: "capture and publish lessons learned". When an inquiry cycle has
 * closed, its owner (the reflect phase's, or a lead on their behalf) writes its lesson: what we
 * tried, what we saw, what we'll do next, under a short theme. A lead may share it with the
 * partnership's cohort: the cohort's page lists the shared lessons by theme, searchable; each
 * month's new ones go to every member of the cohort in a digest (workflows/inquiry/lesson-digest.ts);
 * the coordinators gather chosen lessons into a document to publish (HTML and PDF).
 */

type Deps = Pick<CoreDeps, 'db' | 'temporal' | 'logger' | 'taskQueue'>;

/**
 * Writes (or rewrites) a closed cycle's lesson. Shared once, it stays shared with its first date (the
 * digest counts it in that month); `share: false` takes it back from the cohort.
 */
export async function writeLesson(deps: Deps, p: Principal, partnershipId: string, cycleId: string, raw: z.input<typeof lessonBody>) {
  const body = parseOrThrow(lessonBody, raw, 'lesson');
  const cycle = await cycleFor(deps, p, partnershipId, cycleId);
  if (cycle.status !== 'closed')
    throw new ConflictError(`Inquiry cycle ${cycle.number} is still open: its lesson is written once it has closed`);
  const reflect = cycle.phases.find((ph) => ph.phase === 'reflect');
  const { actor } = await actorForDeadline(
    deps.db,
    p,
    { ownerId: reflect?.ownerId ?? '', partnership: cycle.partnership },
    'complete',
    body.onBehalfOf,
  );
  const cohortId = cycle.partnership.cohortId;
  if (body.share) {
    if (!cohortId) throw new ConflictError(`${cycle.partnership.name} is in no cohort: there is nobody to share the lesson with`);
    if (!(await standingIn(deps.db, p, cycle.partnership)).leads) {
      throw new ForbiddenError("Only the partnership's leads share its lessons with the cohort");
    }
  }
  const now = new Date();
  const { onBehalfOfId: _, ...by } = actorColumns(actor);
  const fields = { title: body.title, theme: body.theme, tried: body.tried, saw: body.saw, next: body.next, updatedAt: now, ...by };
  const lesson = await deps.db.$transaction(async (tx) => {
    const before = await tx.lesson.findUnique({ where: { cycleId } });
    const sharedAt = body.share ? (before?.sharedAt ?? now) : null;
    const written = await tx.lesson.upsert({
      where: { cycleId },
      create: { cycleId, partnershipId, ...fields, sharedAt },
      update: { ...fields, sharedAt },
    });
    // The cohort's digest runs from its first shared lesson on; if Temporal refuses, nothing is written.
    if (sharedAt && cohortId) await startOrRollBack(deps.logger, 'lesson digest', () => startDigest(deps, cohortId));
    return written;
  });
  await recordEvent(
    deps.db,
    partnershipId,
    `lesson:${lesson.id}:${now.getTime()}`,
    lesson.sharedAt ? 'lesson.shared' : 'lesson.written',
    { cycleId, title: lesson.title },
    actor,
  );
  return lesson;
}

async function startDigest(deps: Deps, cohortId: string) {
  try {
    await deps.temporal.workflow.start(lessonDigestWorkflow, {
      workflowId: lessonDigestWorkflowId(cohortId),
      taskQueue: deps.taskQueue,
      args: [{ cohortId }],
    });
  } catch (e) {
    if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
  }
}

/** A cycle's lesson, if there is one and the principal sees its partnership. */
export async function lessonOf(deps: Pick<Deps, 'db'>, p: Principal, partnershipId: string, cycleId: string) {
  await cycleFor(deps, p, partnershipId, cycleId);
  return deps.db.lesson.findUnique({ where: { cycleId } });
}

export type SharedLesson = Awaited<ReturnType<typeof sharedLessons>>[number];

/** Words anywhere in a lesson (its title, theme, or any of its three parts), case and accents as typed. */
function matching(q: string | undefined): Prisma.LessonWhereInput {
  const words = (q ?? '').trim().split(/\s+/).filter(Boolean).slice(0, 8);
  return {
    AND: words.map((w) => ({
      OR: (['title', 'theme', 'tried', 'saw', 'next'] as const).map((f) => ({ [f]: { contains: w, mode: 'insensitive' as const } })),
    })),
  };
}

function sharedLessons(db: Db, where: Prisma.LessonWhereInput) {
  return db.lesson.findMany({
    where: { AND: [{ sharedAt: { not: null } }, where] },
    include: { partnership: { select: { id: true, name: true } }, cycle: { select: { number: true, question: true, decision: true } } },
    orderBy: [{ theme: 'asc' }, { sharedAt: 'desc' }],
  });
}

/**
 * A cohort's shared lessons for whoever sees the cohort (its partnerships' members, its coordinators),
 * each word of `q` found somewhere in the lesson, and the themes they fall under.
 */
export async function cohortLessons(deps: Pick<Deps, 'db'>, p: Principal, cohortId: string, filter: { q?: string; theme?: string } = {}) {
  const id = await visibleCohortId(deps.db, p, cohortId);
  const cohort = await deps.db.cohort.findUniqueOrThrow({ where: { id }, select: { id: true, name: true } });
  const lessons = await sharedLessons(deps.db, {
    partnership: { cohortId: id },
    ...matching(filter.q),
    ...(filter.theme && { theme: { equals: filter.theme, mode: 'insensitive' } }),
  });
  const themes = await deps.db.lesson.groupBy({
    by: ['theme'],
    where: { sharedAt: { not: null }, partnership: { cohortId: id } },
    _count: true,
    orderBy: { theme: 'asc' },
  });
  return { cohort, lessons, themes: themes.map((t) => ({ theme: t.theme, count: t._count })) };
}

/** The lessons a coordinator chose to publish, in the order chosen; one that is not a shared lesson of the cohort is a 404. */
export async function lessonsToPublish(deps: Pick<Deps, 'db'>, p: Principal, cohortId: string, ids: string[]) {
  const id = await visibleCohortId(deps.db, p, cohortId);
  assertCoordinates(p, id);
  const cohort = await deps.db.cohort.findUniqueOrThrow({ where: { id }, select: { id: true, name: true } });
  const found = await sharedLessons(deps.db, { id: { in: ids }, partnership: { cohortId: id } });
  const missing = ids.filter((l) => !found.some((f) => f.id === l));
  if (missing.length) throw new NotFoundError(`No shared lesson of ${cohort.name} is ${missing[0]}`);
  return { cohort, lessons: ids.map((l) => found.find((f) => f.id === l) as SharedLesson) };
}

/** The lessons shared in a cohort from `since` until `until`: what a month's digest carries. */
export function lessonsSharedBetween(db: Db, cohortId: string, since: Date, until: Date) {
  return sharedLessons(db, { partnership: { cohortId }, sharedAt: { gte: since, lt: until } });
}

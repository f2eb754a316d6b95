import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { z } from 'zod';
import { Prisma } from '../../generated/prisma/client.js';
import { ConflictError, ForbiddenError, ValidationError } from '../../lib/errors.js';
import { startOrRollBack } from '../../lib/temporal/start.js';
import { parseOrThrow } from '../../lib/validation.js';
import { evidenceWorkflowId } from '../../workflows/ids.js';
import type { CoreDeps } from '../deps.js';
import { actorColumns, recordEvent } from '../events.js';
import type { Principal } from '../people/principal.js';
import { actorForDeadline } from '../people/rights.js';
import { requestFor } from './commands.js';
import { START } from './create.js';
import { assertFuture } from './due.js';
import { reviewEvidenceBody } from './schemas.js';

/**
 * A lead's verdict on submitted evidence, once per submission: accepted, or sent back with what to
 * change and a new due time. Someone other than its owner gives it (evidence is for the other side
 * to look at); the row is claimed by the status it expects (submitted, not yet accepted), so two
 * verdicts sent at once make one and the other is a 409.
 *
 * Sent back, the request reopens and its deadline workflow starts again: it reminds the owner,
 * turns it overdue and escalates as before, and its first step tells the owner why it came back
 * (activities/deadlines/operations.ts). The workflow starts after the row is committed (so its
 * first step reads the request open); if Temporal refuses, the row is put back as it was.
 */
export async function reviewEvidence(deps: CoreDeps, p: Principal, id: string, raw: z.input<typeof reviewEvidenceBody>) {
  const body = parseOrThrow(reviewEvidenceBody, raw, 'review');
  const r = await requestFor(deps, p, id);
  const { actor, personId } = await actorForDeadline(deps.db, p, r, 'review', body.onBehalfOf);
  if (personId === r.ownerId) throw new ForbiddenError('Evidence is looked at by a lead other than its owner');
  if (r.status !== 'submitted' || r.acceptedAt) {
    throw new ConflictError(
      r.acceptedAt ? 'The evidence is already accepted' : `The evidence request is ${r.status}: there is nothing to look at`,
    );
  }
  if (body.verdict === 'sent_back') assertFuture([{ path: 'dueAt', at: body.dueAt }], Date.now());
  const partnership = await deps.db.partnership.findUniqueOrThrow({
    where: { id: r.partnershipId },
    select: { evidenceRubric: true, status: true },
  });
  // Accepting is still a fair record after the end; sending back would restart reminders nobody owes.
  if (body.verdict === 'sent_back' && (partnership.status === 'completed' || partnership.status === 'ended_early')) {
    throw new ConflictError('The partnership has ended: its evidence can be accepted, not sent back');
  }
  const rubric = judgedRubric(partnership.evidenceRubric, body.rubric);
  const sentBack = body.verdict === 'sent_back' ? { dueAt: new Date(body.dueAt) } : null;
  const guard = { id, status: 'submitted' as const, acceptedAt: null };
  const review = await deps.db.$transaction(async (tx) => {
    const claimed = sentBack
      ? await tx.evidenceRequest.updateMany({ where: guard, data: { status: 'open', dueAt: sentBack.dueAt, closedAt: null } })
      : await tx.evidenceRequest.updateMany({ where: guard, data: { acceptedAt: new Date() } });
    if (claimed.count === 0) throw new ConflictError('The evidence was looked at meanwhile; reload to see the verdict');
    const { onBehalfOfId: _, ...by } = actorColumns(actor);
    return tx.evidenceReview.create({
      data: { requestId: id, verdict: body.verdict, comment: body.comment ?? null, dueAt: sentBack?.dueAt ?? null, rubric, ...by },
    });
  });
  if (sentBack) {
    try {
      await startOrRollBack(deps.logger, 'evidence request', () => restartWorkflow(deps, id));
    } catch (e) {
      await deps.db.$transaction([
        deps.db.evidenceRequest.updateMany({
          where: { id, status: 'open', dueAt: sentBack.dueAt },
          data: { status: 'submitted', dueAt: r.dueAt, closedAt: r.closedAt },
        }),
        deps.db.evidenceReview.delete({ where: { id: review.id } }),
      ]);
      throw e;
    }
  }
  await recordEvent(
    deps.db,
    r.partnershipId,
    `evidence:${id}:review:${review.id}`,
    `evidence.${body.verdict}`,
    { requestId: id, comment: review.comment, ...(sentBack && { dueAt: sentBack.dueAt.toISOString() }) },
    actor,
  );
  return { request: await deps.db.evidenceRequest.findUniqueOrThrow({ where: { id } }), review };
}

/** Starts the request's deadline workflow again; the run that took the submission may still be answering its update. */
async function restartWorkflow(deps: CoreDeps, id: string) {
  try {
    await START.evidence(deps, id);
  } catch (e) {
    if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
    // It completes as soon as that update has answered: wait for it, then start the next run.
    await deps.temporal.workflow.getHandle(evidenceWorkflowId(id)).result();
    await START.evidence(deps, id);
  }
}

/**
 * The verdict's judgement of the partnership's rubric, in the rubric's order: every criterion once,
 * and nothing else (a rubric changed since the form was shown is a 400 naming what differs).
 */
function judgedRubric(criteria: string[], given: { criterion: string; met: boolean }[] | undefined) {
  const judged = given ?? [];
  if (criteria.length === 0 && judged.length === 0) return Prisma.DbNull;
  const unknown = judged.filter((j) => !criteria.includes(j.criterion)).map((j) => j.criterion);
  const missing = criteria.filter((c) => judged.filter((j) => j.criterion === c).length !== 1);
  if (unknown.length || missing.length) {
    throw new ValidationError("Judge each criterion of the partnership's rubric once", [
      ...missing.map((c) => ({ path: 'rubric', message: `judge "${c}" once` })),
      ...unknown.map((c) => ({ path: 'rubric', message: `"${c}" is not a criterion of this partnership's rubric` })),
    ]);
  }
  return criteria.map((c) => ({ criterion: c, met: judged.find((j) => j.criterion === c)?.met ?? false }));
}

import type { z } from 'zod';
import type { CommentSubject } from '../../generated/prisma/client.js';
import { ForbiddenError, NotFoundError } from '../../lib/errors.js';
import { startOrRollBack } from '../../lib/temporal/start.js';
import { parseOrThrow } from '../../lib/validation.js';
import { commentMentionWorkflow } from '../../workflows/comments/mention.js';
import { commentWorkflowId } from '../../workflows/ids.js';
import type { CoreDeps } from '../deps.js';
import { actorColumns, recordEvent } from '../events.js';
import { loadPartnership } from '../people/members.js';
import { actorOf, type Principal } from '../people/principal.js';
import { standingIn } from '../people/rights.js';
import { mentionsIn } from './mentions.js';
import { addCommentBody, listCommentsQuery } from './schemas.js';

/**
 * Comments on a review, a commitment or an evidence request: written by a member (or anyone who
 * manages the partnership, or a key), read by everyone who sees the partnership. The members a
 * comment mentions are told by mail, through a workflow of its own (`comment:<id>`) whose one step
 * sends through the outbox, with each reader's quiet hours and digest.
 */

/** The thing commented on, in this partnership, or a 404. */
async function assertSubject(deps: Pick<CoreDeps, 'db'>, partnershipId: string, on: CommentSubject, id: string) {
  const where = { id, partnershipId };
  const found =
    on === 'review'
      ? await deps.db.review.count({ where })
      : on === 'commitment'
        ? await deps.db.commitment.count({ where })
        : on === 'lesson'
          ? await deps.db.lesson.count({ where: { cycleId: id, partnershipId } })
          : await deps.db.evidenceRequest.count({ where });
  if (!found) throw new NotFoundError(`There is no ${on.replace('_', ' ')} ${id} in this partnership`);
}

export async function addComment(deps: CoreDeps, p: Principal, partnershipId: string, raw: z.input<typeof addCommentBody>) {
  const body = parseOrThrow(addCommentBody, raw, 'comment');
  const partnership = await loadPartnership(deps.db, p, partnershipId);
  const standing = await standingIn(deps.db, p, partnership);
  if (p.kind === 'person' && !standing.role && !standing.manages) {
    throw new ForbiddenError('Only members of the partnership, and those who manage it, comment on it');
  }
  await assertSubject(deps, partnership.id, body.on, body.subjectId);
  const members = partnership.members.map((m) => ({ personId: m.personId, name: m.person.name }));
  const mentionedIds = mentionsIn(body.body, members).filter((id) => id !== p.id);
  const actor = actorOf(p);
  const { onBehalfOfId: _, ...by } = actorColumns(actor);
  return deps.db.$transaction(async (tx) => {
    const comment = await tx.comment.create({
      data: { partnershipId: partnership.id, subject: body.on, subjectId: body.subjectId, body: body.body, mentionedIds, ...by },
    });
    await recordEvent(
      tx,
      partnership.id,
      `comment:${comment.id}`,
      'comment.added',
      { commentId: comment.id, on: body.on, subjectId: body.subjectId, mentioned: mentionedIds.length },
      actor,
    );
    if (mentionedIds.length) {
      await startOrRollBack(deps.logger, 'comment', () =>
        deps.temporal.workflow.start(commentMentionWorkflow, {
          workflowId: commentWorkflowId(comment.id),
          taskQueue: deps.taskQueue,
          args: [{ commentId: comment.id }],
        }),
      );
    }
    return comment;
  });
}

/** The comments on one thing, oldest first, for whoever sees the partnership. */
export async function listComments(
  deps: Pick<CoreDeps, 'db'>,
  p: Principal,
  partnershipId: string,
  raw: z.input<typeof listCommentsQuery>,
) {
  const query = parseOrThrow(listCommentsQuery, raw, 'query');
  const partnership = await loadPartnership(deps.db, p, partnershipId);
  await assertSubject(deps, partnership.id, query.on, query.subjectId);
  return commentsOn(deps.db, partnership.id, query.on, query.subjectId);
}

export function commentsOn(db: CoreDeps['db'], partnershipId: string, on: CommentSubject, subjectId: string) {
  return db.comment.findMany({ where: { partnershipId, subject: on, subjectId }, orderBy: { createdAt: 'asc' } });
}

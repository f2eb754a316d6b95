import { addComment, listComments } from '../../core/comments/commands.js';
import { addCommentBody, listCommentsQuery } from '../../core/comments/schemas.js';
import type { Comment } from '../../generated/prisma/client.js';
import { route, tagged } from '../http/route.js';

const commentJson = (c: Comment) => ({
  id: c.id,
  on: c.subject,
  subjectId: c.subjectId,
  body: c.body,
  mentioned: c.mentionedIds,
  by: { kind: c.actor, id: c.actorId, name: c.actorName, onBehalfOf: c.onBehalfOfName },
  createdAt: c.createdAt.toISOString(),
});

/** Comments on a partnership's reviews, commitments and evidence requests. */
export const commentRoutes = tagged('Comments', [
  route('GET /partnerships/:id/comments', {
    operationId: 'listComments',
    summary: 'List the comments on a review, a commitment or an evidence request',
    description: 'Oldest first, for everyone who sees the partnership.',
    access: 'member',
    query: listCommentsQuery,
    errors: [404],
    responses: { 200: { description: 'The comments' } },
    handle: async ({ params, query, caller, deps }) => ({
      body: { items: (await listComments(deps, caller, params.id, query)).map(commentJson) },
    }),
  }),
  route('POST /partnerships/:id/comments', {
    operationId: 'addComment',
    summary: 'Comment on a review, a commitment or an evidence request',
    description:
      "Each member the comment mentions (`@Ana Diaz`, or `@Ana` where no other member is called Ana) is told by mail, with their quiet hours and digest; `mentioned` lists them. Written by the key (its name is the author's).",
    access: 'member',
    body: addCommentBody,
    errors: [404, 503],
    responses: { 201: { description: 'The comment' } },
    async handle({ params, body, caller, deps }) {
      const comment = await addComment(deps, caller, params.id, body);
      return { location: `/partnerships/${params.id}/comments`, body: commentJson(comment) };
    },
  }),
]);

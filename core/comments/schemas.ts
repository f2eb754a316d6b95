import { z } from 'zod';
import { text } from '../fields.js';

export const commentSubject = z.enum(['review', 'commitment', 'evidence_request', 'lesson']);

export const addCommentBody = z
  .object({
    on: commentSubject.meta({
      description:
        "What it is about: a review, a commitment, an evidence request or a lesson of the partnership (a lesson by its inquiry cycle's id).",
    }),
    subjectId: z.uuid(),
    body: text(5000).meta({
      description: "The comment; `@Name` (a member's full name, or a first name no other member shares) tells that member by mail.",
    }),
  })
  .strict();

export const listCommentsQuery = z.object({ on: commentSubject, subjectId: z.uuid() }).strict();

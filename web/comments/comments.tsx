import { addComment, commentsOn } from '../../core/comments/commands.js';
import type { Comment, CommentSubject } from '../../generated/prisma/client.js';
import type { Db } from '../../lib/db/client.js';
import { When } from '../http/format.js';
import { ErrorSummary, errorOf, Form, TextArea } from '../http/layout.js';
import { formIssues, type IdParam, type Outcome, type PageContext } from '../http/pages.js';

type State = { errors?: { path: string; message: string }[]; values?: Record<string, string>; form?: string };

/** The comments on a page's subject, for the page to show. */
export const commentsFor = (db: Db, partnershipId: string, on: CommentSubject, subjectId: string) =>
  commentsOn(db, partnershipId, on, subjectId);

/** A page's comments, oldest first, and (for its members) the form to add one. */
export function Comments({
  comments,
  action,
  csrf,
  zone,
  mayComment,
  state,
}: {
  comments: Comment[];
  action: string;
  csrf: string;
  zone: string;
  mayComment: boolean;
  state: State;
}) {
  const errors = state.form === 'comment' ? (state.errors ?? []) : [];
  return (
    <section aria-labelledby="comments">
      <h2 id="comments">Comments</h2>
      {comments.length === 0 ? (
        <p class="empty">No comment yet.</p>
      ) : (
        <ul class="items">
          {comments.map((c) => (
            <li key={c.id}>
              <strong>{c.onBehalfOfName ?? c.actorName ?? 'Someone'}</strong>, <When at={c.createdAt} zone={zone} />
              <p class="notes">{c.body}</p>
            </li>
          ))}
        </ul>
      )}
      {mayComment && (
        <>
          <ErrorSummary errors={errors} />
          <Form action={action} csrf={csrf} label="Add a comment">
            <TextArea
              name="body"
              label="Add a comment"
              hint="Write @ and a member's name (@Ana Diaz, or @Ana) to tell them by mail."
              rows={3}
              required
              value={state.form === 'comment' ? state.values?.body : undefined}
              error={errorOf(errors, 'body')}
            />
            <button type="submit" class="secondary">
              Post the comment
            </button>
          </Form>
        </>
      )}
    </section>
  );
}

/**
 * The form's handler on a page about a review, a commitment or an evidence request (`param` names its
 * id in the path): posted, back to the page at its comments; refused, the page again with the reason.
 */
export function commentAction(
  on: CommentSubject,
  param: IdParam,
  page: (ctx: PageContext, state: State) => Promise<Outcome>,
  pathOf: (partnershipId: string, id: string) => string,
) {
  return async (ctx: PageContext): Promise<Outcome> => {
    const partnershipId = ctx.param('partnershipId');
    const subjectId = ctx.param(param);
    let mentioned: number;
    try {
      const comment = await addComment(ctx.deps, ctx.me, partnershipId, { on, subjectId, body: ctx.form.body?.trim() ?? '' });
      mentioned = comment.mentionedIds.length;
    } catch (e) {
      return page(ctx, { errors: formIssues(e, 'body'), values: ctx.form, form: 'comment' });
    }
    const told =
      mentioned === 0 ? '' : mentioned === 1 ? ' The member you mentioned is told.' : ` The ${mentioned} members you mentioned are told.`;
    return { redirect: `${pathOf(partnershipId, subjectId)}#comments`, flash: `Your comment is posted.${told}` };
  };
}

import { activities } from '../activities.js';

/**
 * One per comment that mentions someone (`comment:<id>`): the mail is sent by an activity, retried
 * until the outbox has it, whatever happens to the request that wrote the comment.
 */
export async function commentMentionWorkflow({ commentId }: { commentId: string }): Promise<void> {
  await activities.notifyMentions(commentId);
}

/** What a comment's workflow asks of the activities. */
export interface CommentSteps {
  /** Tells each member a comment mentions, once (by the comment's business key). */
  notifyMentions(commentId: string): Promise<void>;
}

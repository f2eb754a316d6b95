/** Workflow ids come from business keys (never PII), so a start is idempotent per partnership. */
export const partnershipWorkflowId = (partnershipId: string) => `partnership:${partnershipId}`;
export const commitmentWorkflowId = (commitmentId: string) => `commitment:${commitmentId}`;
export const reflectionWorkflowId = (reviewId: string) => `reflection:${reviewId}`;
export const evidenceWorkflowId = (requestId: string) => `evidence:${requestId}`;
export const mailboxWorkflowId = (personId: string) => `mailbox:${personId}`;
export const commentWorkflowId = (commentId: string) => `comment:${commentId}`;
export const inquiryWorkflowId = (cycleId: string) => `inquiry:${cycleId}`;
export const lessonDigestWorkflowId = (cohortId: string) => `lessons:${cohortId}`;
export const webhookWorkflowId = (subscriptionId: string) => `webhook:${subscriptionId}`;

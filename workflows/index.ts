export { commentMentionWorkflow } from './comments/mention.js';
export { commitmentWorkflow } from './deadlines/commitment.js';
export { evidenceRequestWorkflow } from './deadlines/evidence.js';
export { inquiryCycleWorkflow } from './inquiry/cycle.js';
export { lessonDigestWorkflow } from './inquiry/lesson-digest.js';
export { mailboxWorkflow } from './mail/mailbox.js';
export { partnershipWorkflow } from './partnerships/partnership.js';
export { reflectionWorkflow } from './reflections/reflection.js';

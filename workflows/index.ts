export { commitmentWorkflow } from './commitment.js';
export { evidenceRequestWorkflow } from './evidence.js';
export { mailboxWorkflow } from './mailbox.js';
export { partnershipWorkflow } from './partnership.js';
export { reflectionWorkflow } from './reflection.js';

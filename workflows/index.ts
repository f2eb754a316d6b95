export { commitmentWorkflow } from './commitment.js';
export { evidenceRequestWorkflow } from './evidence.js';
export { partnershipWorkflow } from './partnership.js';
export { reflectionWorkflow } from './reflection.js';

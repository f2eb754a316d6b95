export { commitmentWorkflow } from './commitment.js';
export { partnershipWorkflow } from './partnership.js';
export { reflectionWorkflow } from './reflection.js';

export { partnershipWorkflow, statusQuery } from './partnership.js';

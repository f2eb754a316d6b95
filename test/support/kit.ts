/** What a workflow test on the time-skipping stack reaches for, in one import. */
export { createPartnershipRecord, createRecurringPartnershipRecord } from './fixtures.js';
export { recordHistory } from './histories.js';
export { waitFor } from './mailbox.js';
export { outboxMessages } from './outbox.js';
export { DAY, HOUR, MINUTE } from './time.js';
export { useTimeSkippingStack } from './time-skipping.js';
export { expectRejected } from './updates.js';

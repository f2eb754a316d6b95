import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

/** The activities as the workflows call them: a minute each, retried with backoff until they succeed. */
export const activities = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

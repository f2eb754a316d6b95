// The partnership workflow with one unguarded change (a timer before the first activity), to prove
// that the replay test catches a change that running workflows could not survive.
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';

const { activatePartnership } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute' });

export async function partnershipWorkflow({ partnershipId }: { partnershipId: string }): Promise<void> {
  await sleep('1 minute');
  await activatePartnership(partnershipId);
}

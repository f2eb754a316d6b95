import { proxyActivities } from '@temporalio/workflow';
import type { MailSteps } from './steps.js';

const { sendLeftPendingMail } = proxyActivities<MailSteps>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  // The schedule starts the next sweep in a minute: a failed one is not retried for long.
  retry: { maximumAttempts: 3 },
});

/** A copy left pending this long has no attempt in flight: an activity that failed it is long retried. */
export const LEFT_PENDING_AFTER_MS = 2 * 60_000;

/**
 * One sweep of the outbox, started every minute by the Temporal schedule `tandem-mail-sweep`
 * (activities/mail/sweep-schedule.ts): sends what was left pending.
 */
export async function mailSweepWorkflow(): Promise<{ sent: number; notSent: number }> {
  return sendLeftPendingMail({ olderThanMs: LEFT_PENDING_AFTER_MS });
}

import { patched, proxyActivities } from '@temporalio/workflow';
import type { MailSteps } from './steps.js';

const { sendLeftPendingMail, redactSentLinks } = proxyActivities<MailSteps>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  // The schedule starts the next sweep in a minute: a failed one is not retried for long.
  retry: { maximumAttempts: 3 },
});

/** A copy left pending this long has no attempt in flight: an activity that failed it is long retried. */
export const LEFT_PENDING_AFTER_MS = 2 * 60_000;

/**
 * A sent copy keeps its links' tokens this long, for whoever looks into a delivery just made; then
 * a dump of the database no longer holds them (24 hours before, SIGN_IN_LINK_TTL's default).
 */
export const REDACT_LINKS_AFTER_MS = 10 * 60_000;

/** Marks the sweeps that also redact sent copies' links (the sweep's earlier histories only send). */
const REDACT_SENT_LINKS = 'redact-sent-links';

/**
 * One sweep of the outbox, started every minute by the Temporal schedule `tandem-mail-sweep`
 * (activities/mail/sweep-schedule.ts): sends what was left pending, then redacts the links of what
 * was sent (core/mail/redact-links.ts).
 */
export async function mailSweepWorkflow(): Promise<{ sent: number; notSent: number; redacted?: number }> {
  const left = await sendLeftPendingMail({ olderThanMs: LEFT_PENDING_AFTER_MS });
  if (!patched(REDACT_SENT_LINKS)) return left;
  return { ...left, ...(await redactSentLinks({ olderThanMs: REDACT_LINKS_AFTER_MS })) };
}

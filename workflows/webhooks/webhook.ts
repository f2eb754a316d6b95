import { continueAsNew, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import { deliveriesWaitingSignal, type WebhookInput } from './messages.js';
import type { WebhookSteps } from './steps.js';

const { sendWebhookDeliveries, pauseFailingWebhook } = proxyActivities<WebhookSteps>({
  // A batch stops at its first failure; each attempt waits WEBHOOK_TIMEOUT at most, and beats.
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** A subscription whose oldest waiting delivery has failed this long is paused. */
export const GIVE_UP_AFTER_MS = 24 * HOUR;
/** After the nth failure of a delivery, the wait before the next try (Standard Webhooks' suggested schedule). */
const RETRY_AFTER_MS = [5_000, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR];

/**
 * One webhook subscription's deliveries: sends what waits, oldest event first, one at a time, so a
 * receiver gets each partnership's events in order (in batches, one activity each). A delivery that
 * fails is tried again on a schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h…) and holds back those
 * after it; once it has failed for a day the subscription is paused and its keepers told (what waits
 * is kept for its resumption). Ends when nothing waits; a new delivery starts it again (the relay,
 * or the API).
 */
export async function webhookWorkflow(input: WebhookInput): Promise<void> {
  let woken = true;
  setHandler(deliveriesWaitingSignal, () => {
    woken = true;
  });
  let failures = 0;
  for (;;) {
    woken = false;
    const batch = await sendWebhookDeliveries({ subscriptionId: input.subscriptionId, at: Date.now() });
    if (batch.failingSince !== null) {
      const giveUpAt = batch.failingSince + GIVE_UP_AFTER_MS;
      if (Date.now() >= giveUpAt) {
        await pauseFailingWebhook({ subscriptionId: input.subscriptionId, at: Date.now() });
        failures = 0;
        continue;
      }
      await sleep(Math.min(RETRY_AFTER_MS[Math.min(failures, RETRY_AFTER_MS.length - 1)] ?? HOUR, giveUpAt - Date.now()));
      failures++;
      continue;
    }
    failures = 0;
    // A signal that arrived meanwhile is looked at before this run may complete.
    if (!batch.more && !woken) return;
    if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof webhookWorkflow>(input);
  }
}

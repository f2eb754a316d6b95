import { continueAsNew, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import { deliveriesWaitingSignal, type WebhookInput } from './messages.js';
import type { WebhookSteps } from './steps.js';

const { nextWebhookDelivery, attemptWebhookDelivery, pauseFailingWebhook } = proxyActivities<WebhookSteps>({
  // One attempt waits WEBHOOK_TIMEOUT at most; what fails beyond that (the database) is retried.
  startToCloseTimeout: '2 minutes',
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
 * receiver gets each partnership's events in order. A delivery that fails is tried again on a
 * schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h…) and holds back those after it; once it has
 * failed for a day the subscription is paused and its keepers told (what waits is kept for its
 * resumption). Ends when nothing waits; a new delivery starts it again (the relay, or the API).
 */
export async function webhookWorkflow(input: WebhookInput): Promise<void> {
  let woken = true;
  setHandler(deliveriesWaitingSignal, () => {
    woken = true;
  });
  for (;;) {
    woken = false;
    const next = await nextWebhookDelivery(input);
    if (next === null) {
      // A signal that arrived meanwhile is looked at before this run may complete.
      if (!woken) return;
      continue;
    }
    for (let failures = 0; ; failures++) {
      const tried = await attemptWebhookDelivery({ deliveryId: next.deliveryId, at: Date.now() });
      if (tried.delivered || tried.failingSince === null) break;
      const giveUpAt = tried.failingSince + GIVE_UP_AFTER_MS;
      if (Date.now() >= giveUpAt) {
        await pauseFailingWebhook({ subscriptionId: input.subscriptionId, at: Date.now() });
        break;
      }
      const wait = RETRY_AFTER_MS[Math.min(failures, RETRY_AFTER_MS.length - 1)] ?? HOUR;
      await sleep(Math.min(wait, giveUpAt - Date.now()));
    }
    if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof webhookWorkflow>(input);
  }
}

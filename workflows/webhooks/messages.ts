import { defineSignal } from '@temporalio/workflow';

/** Sent (with start) when deliveries wait: written with an event, set to go again, or the subscription resumed. */
export const deliveriesWaitingSignal = defineSignal('deliveriesWaiting');

export interface WebhookInput {
  subscriptionId: string;
}

/** What a webhook subscription's workflow asks of the world, implemented in activities/webhooks/. */
export interface WebhookSteps {
  /**
   * Sends the subscription's waiting deliveries, oldest event first, one after the other, each
   * attempt recorded, until one fails, none is left, or a batch is done (`at`: the workflow's time).
   * `failingSince`: when the subscription's current run of failures began, if the last one failed;
   * `more`: deliveries are left after a full batch.
   */
  sendWebhookDeliveries: (input: {
    subscriptionId: string;
    at: number;
  }) => Promise<{ sent: number; failingSince: number | null; more: boolean }>;
  /** Pauses a subscription that failed for a day, and tells its keepers. */
  pauseFailingWebhook: (input: { subscriptionId: string; at: number }) => Promise<void>;
}

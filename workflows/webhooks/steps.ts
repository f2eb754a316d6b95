/** What a webhook subscription's workflow asks of the world, implemented in activities/webhooks/. */
export interface WebhookSteps {
  /** The oldest delivery waiting to go, or null when none waits or the subscription is paused or gone. */
  nextWebhookDelivery: (input: { subscriptionId: string }) => Promise<{ deliveryId: string } | null>;
  /**
   * One try to send it (`at`: the workflow's time), recorded with the answer. `failingSince`: when
   * the subscription's current run of failures began (null when delivered).
   */
  attemptWebhookDelivery: (input: { deliveryId: string; at: number }) => Promise<{ delivered: boolean; failingSince: number | null }>;
  /** Pauses a subscription that failed for a day, and tells its keepers. */
  pauseFailingWebhook: (input: { subscriptionId: string; at: number }) => Promise<void>;
}

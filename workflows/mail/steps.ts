/** What a person's mailbox workflow asks of the world, implemented in activities/mail/ (see reviews/steps.ts). */
export interface MailSteps {
  /** Delivers the held mail due by `now`; when the next held copy is due, or null when none is held. */
  deliverHeldMail: (input: { personId: string; now: number }) => Promise<number | null>;
  /** Sends the copies left pending longer than `olderThanMs` (mail a request failed to send at once). */
  sendLeftPendingMail: (input: { olderThanMs: number }) => Promise<{ sent: number; notSent: number }>;
  /** Replaces the link tokens in copies sent longer than `olderThanMs` ago, and in dropped ones. */
  redactSentLinks: (input: { olderThanMs: number }) => Promise<{ redacted: number }>;
}

import { defineSignal } from '@temporalio/workflow';

/** Sent (with start) whenever mail is held for the person: it may be due sooner than the next wake-up. */
export const heldMailSignal = defineSignal('heldMail');

export interface MailboxInput {
  personId: string;
}

/** The mailbox workflow's signature, for starting it by name (activities do not load workflow code). */
export type MailboxWorkflow = (input: MailboxInput) => Promise<void>;

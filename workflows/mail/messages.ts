import { defineSignal } from '@temporalio/workflow';

/** Sent (with start) whenever mail is held for the person: it may be due sooner than the next wake-up. */
export const heldMailSignal = defineSignal('heldMail');

export interface MailboxInput {
  personId: string;
}

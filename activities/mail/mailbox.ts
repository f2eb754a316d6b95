import type { Client } from '@temporalio/client';
import { wakeWorkflow } from '../../lib/temporal/wake.js';
import { mailboxWorkflowId } from '../../workflows/ids.js';
import { heldMailSignal, type MailboxInput } from '../../workflows/mail/messages.js';

/** Tells a person's mailbox workflow that mail is held for them, starting it when it is not running. */
export async function wakeMailbox(client: Client, taskQueue: string, personId: string): Promise<void> {
  await wakeWorkflow<MailboxInput>(client, {
    workflowType: 'mailboxWorkflow',
    workflowId: mailboxWorkflowId(personId),
    taskQueue,
    input: { personId },
    signal: heldMailSignal,
  });
}

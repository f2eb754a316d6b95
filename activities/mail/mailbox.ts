import type { Client } from '@temporalio/client';
import { mailboxWorkflowId } from '../../workflows/ids.js';
import { heldMailSignal, type MailboxWorkflow } from '../../workflows/mail/messages.js';

/** Tells a person's mailbox workflow that mail is held for them, starting it when it is not running. */
export async function wakeMailbox(client: Client, taskQueue: string, personId: string): Promise<void> {
  await client.workflow.signalWithStart<MailboxWorkflow, []>('mailboxWorkflow', {
    workflowId: mailboxWorkflowId(personId),
    taskQueue,
    args: [{ personId }],
    signal: heldMailSignal,
  });
}

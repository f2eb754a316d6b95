import type { Client } from '@temporalio/client';
import { heldMailSignal, mailboxWorkflow } from '../../workflows/mailbox.js';
import { mailboxWorkflowId } from './ids.js';

/** Tells a person's mailbox workflow that mail is held for them, starting it when it is not running. */
export async function wakeMailbox(client: Client, taskQueue: string, personId: string): Promise<void> {
  await client.workflow.signalWithStart(mailboxWorkflow, {
    workflowId: mailboxWorkflowId(personId),
    taskQueue,
    args: [{ personId }],
    signal: heldMailSignal,
  });
}

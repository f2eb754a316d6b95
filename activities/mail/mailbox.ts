import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { mailboxWorkflowId } from '../../workflows/ids.js';
import { heldMailSignal, type MailboxWorkflow } from '../../workflows/mail/messages.js';

/** Tells a person's mailbox workflow that mail is held for them, starting it when it is not running. */
export async function wakeMailbox(client: Client, taskQueue: string, personId: string): Promise<void> {
  const workflowId = mailboxWorkflowId(personId);
  for (let attempt = 1; ; attempt++) {
    try {
      await client.workflow.signalWithStart<MailboxWorkflow, []>('mailboxWorkflow', {
        workflowId,
        taskQueue,
        args: [{ personId }],
        signal: heldMailSignal,
      });
      return;
    } catch (e) {
      // Two wakes of one mailbox at the same instant may both try the start (the time-skipping test
      // server reports this); the winner is running, so the signal is all that is left to send.
      if (!(e instanceof WorkflowExecutionAlreadyStartedError) || attempt === 3) throw e;
      try {
        await client.workflow.getHandle(workflowId).signal(heldMailSignal);
        return;
      } catch (notRunning) {
        // It ended in between: start it again.
        if (!(notRunning instanceof WorkflowNotFoundError)) throw notRunning;
      }
    }
  }
}

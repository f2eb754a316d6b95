import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { SignalDefinition } from '@temporalio/common';

/**
 * Signals a workflow that ends when it has nothing to do (a person's mailbox, a webhook
 * subscription's deliveries), starting it when it is not running.
 */
export async function wakeWorkflow<Input>(
  client: Client,
  opts: { workflowType: string; workflowId: string; taskQueue: string; input: Input; signal: SignalDefinition<[]> },
): Promise<void> {
  const { workflowId, signal } = opts;
  for (let attempt = 1; ; attempt++) {
    try {
      await client.workflow.signalWithStart<(input: Input) => Promise<void>, []>(opts.workflowType, {
        workflowId,
        taskQueue: opts.taskQueue,
        args: [opts.input],
        signal,
      });
      return;
    } catch (e) {
      // Two wakes at the same instant may both try the start (the time-skipping test server reports
      // this); the winner is running, so the signal is all that is left to send.
      if (!(e instanceof WorkflowExecutionAlreadyStartedError) || attempt === 3) throw e;
      try {
        await client.workflow.getHandle(workflowId).signal(signal);
        return;
      } catch (notRunning) {
        // It ended in between: start it again.
        if (!(notRunning instanceof WorkflowNotFoundError)) throw notRunning;
      }
    }
  }
}

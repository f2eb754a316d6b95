import { condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { heldMailSignal, type MailboxInput } from './messages.js';
import type { MailSteps } from './steps.js';

const { deliverHeldMail } = proxyActivities<MailSteps>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/**
 * One person's held mail (quiet hours, daily digest): sleeps until the next held message is due,
 * delivers what is due, and ends when nothing is held; the next held message starts it again.
 */
export async function mailboxWorkflow(input: MailboxInput): Promise<void> {
  let woken = true;
  setHandler(heldMailSignal, () => {
    woken = true;
  });
  for (;;) {
    woken = false;
    const next = await deliverHeldMail({ personId: input.personId, now: Date.now() });
    if (next === null) {
      // A signal that arrived meanwhile is delivered before this run may complete.
      if (!woken) return;
      continue;
    }
    if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof mailboxWorkflow>(input);
    await condition(() => woken, Math.max(1, next - Date.now()));
  }
}

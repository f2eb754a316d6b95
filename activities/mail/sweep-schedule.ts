import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';

export const MAIL_SWEEP_SCHEDULE_ID = 'tandem-mail-sweep';

/**
 * The Temporal schedule that sweeps the outbox every minute (workflows/mail/sweep.ts). Made by
 * whichever worker starts first; one already there is left as it is, so every replica may call this.
 * A sweep still running when the next is due is not doubled.
 */
export async function ensureMailSweep(client: Client, taskQueue: string): Promise<'created' | 'exists'> {
  try {
    await client.schedule.create({
      scheduleId: MAIL_SWEEP_SCHEDULE_ID,
      spec: { intervals: [{ every: '1 minute' }] },
      action: { type: 'startWorkflow', workflowType: 'mailSweepWorkflow', taskQueue, args: [] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
    });
    return 'created';
  } catch (e) {
    if (e instanceof ScheduleAlreadyRunning) return 'exists';
    throw e;
  }
}

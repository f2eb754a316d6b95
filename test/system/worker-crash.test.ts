import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partnershipWorkflowId } from '../../workflows/ids.js';
import { partnershipWorkflow, statusQuery } from '../../workflows/partnerships/partnership.js';
import { createPartnershipRecord } from '../support/fixtures.js';
import { waitFor } from '../support/mailbox.js';
import { useRoleStack } from '../support/roles.js';

describe('a worker killed in the middle of a review cycle (dev server)', () => {
  const stack = useRoleStack('crash');
  let connection: Connection;

  beforeAll(async () => {
    connection = await Connection.connect({ address: stack.dev.address });
  });

  afterAll(async () => {
    await connection?.close();
  });

  // The production worker role, in a process of its own so that the test can kill it outright.
  const startWorker = () => stack.start('worker');

  it('sends nothing twice and misses nothing when a new worker takes over', async () => {
    const client = new Client({ connection });
    const now = Date.now();
    // Reminders at +8 s, +16 s and +32 s; the review at +40 s. The new worker starts at +17 s and
    // must be polling before the review for the late reminder to go out: on a loaded 2-core machine
    // starting a worker from source (transpile, bundle) and the sticky-queue timeout take over 10 s.
    const firstReviewAt = new Date(now + 40_000);
    const p = await createPartnershipRecord(stack.database.db, {
      firstReviewAt,
      reminderOffsets: ['PT32S', 'PT24S', 'PT8S'],
      timeZone: 'UTC',
      plannedAt: now,
    });
    const first = await startWorker();
    const handle = await client.workflow.start(partnershipWorkflow, {
      workflowId: partnershipWorkflowId(p.id),
      taskQueue: stack.env.TEMPORAL_TASK_QUEUE as string,
      args: [{ partnershipId: p.id }],
    });

    // Each reminder goes to both members, one copy each; the invitation too.
    const reminders = async () => (await stack.mailbox.messages()).filter((m) => m.subject.startsWith('Reminder:'));
    await waitFor('the first reminder', async () => (await reminders()).length === 2);
    // Killed between reminders, once the workflow has recorded the first as sent. (A kill in the middle
    // of a send is test/mail/outbox.test.ts: that copy is marked unconfirmed, not sent again.)
    await waitFor('the workflow to record it', async () => (await handle.query(statusQuery)).sentReminders.length === 1);
    await first.stop('SIGKILL');
    // The second reminder falls due while no worker runs.
    await new Promise((r) => setTimeout(r, Math.max(0, now + 16_000 - Date.now()) + 1_000));
    expect(await reminders()).toHaveLength(2);

    await startWorker();
    // Generous: the new worker bundles and replays, and the dead worker's sticky queue must time out first.
    await waitFor('the third reminder', async () => (await reminders()).length >= 6);
    await waitFor('the review to come', async () => (await handle.query(statusQuery)).phase === 'waiting-for-outcome');

    const members = p.members.map((m) => m.personId);
    expect((await reminders()).map((m) => m.messageId).sort()).toEqual(
      [1, 2, 3].flatMap((i) => members.map((person) => `<review.${p.review.id}.reminder.${i}.to.${person}@tandem>`)).sort(),
    );
    const status = await handle.query(statusQuery);
    expect(status.sentReminders.map((r) => r.index)).toEqual([1, 2, 3]);
    // The second fell due while no worker ran: it went out late, once, under the new worker.
    expect(status.sentReminders[1]?.sentAt).toBeGreaterThan(now + 16_000);
    const outbox = await stack.database.db.emailOutbox.findMany({ where: { partnershipId: p.id }, orderBy: { template: 'asc' } });
    expect(outbox.map((o) => [o.template, o.status, o.attempts])).toEqual([
      ...Array(2).fill(['review-invitation', 'sent', 1]),
      ...Array(6).fill(['review-reminder', 'sent', 1]),
    ]);
  });
});

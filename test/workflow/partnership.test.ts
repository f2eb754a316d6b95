import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { partnershipWorkflowId } from '../../lib/temporal/ids.js';
import { endUpdate, partnershipWorkflow, statusQuery } from '../../workflows/partnership.js';
import { createPartnershipRecord } from '../support/fixtures.js';
import { recordHistory } from '../support/histories.js';
import { waitFor } from '../support/mailbox.js';
import { useTimeSkippingStack } from '../support/time-skipping.js';

const DAY = 24 * 60 * 60 * 1000;
const MINUTE = 60 * 1000;

describe('partnership workflow (time-skipping test server)', () => {
  const stack = useTimeSkippingStack('tandem-test');

  async function startWorker() {
    return stack.newWorker();
  }

  it('sends each review reminder at its planned virtual time, and not before', async () => {
    const t0 = await stack.env.currentTimeMs();
    const firstReviewAt = new Date(t0 + 20 * DAY);
    // UTC keeps this test independent of DST on the day it runs; zones are covered in reminders.test.ts.
    const p = await createPartnershipRecord(stack.database.db, {
      firstReviewAt,
      reminderOffsets: ['P14D', 'P2D'],
      timeZone: 'UTC',
      plannedAt: t0,
    });
    const firstDue = firstReviewAt.getTime() - 14 * DAY;
    const secondDue = firstReviewAt.getTime() - 2 * DAY;
    const worker = await startWorker();

    await worker.runUntil(async () => {
      const handle = await stack.env.client.workflow.start(partnershipWorkflow, {
        workflowId: partnershipWorkflowId(p.id),
        taskQueue: 'tandem-test',
        args: [{ partnershipId: p.id }],
      });

      await stack.env.sleep(firstDue - (await stack.env.currentTimeMs()) - MINUTE);
      const before = await handle.query(statusQuery);
      expect(before.phase).toBe('waiting-for-reminder');
      expect(before.nextReminderAt).toBe(firstDue);
      expect(before.sentReminders).toEqual([]);
      expect(await stack.mailbox.messages()).toEqual([]);

      await stack.env.sleep(2 * MINUTE);
      const first = await waitFor('the first reminder', async () => {
        const s = await handle.query(statusQuery);
        return s.sentReminders.length === 1 && s;
      });
      expect(first.sentReminders[0]?.dueAt).toBe(firstDue);
      expect(first.sentReminders[0]?.sentAt).toBeGreaterThanOrEqual(firstDue);
      expect(first.sentReminders[0]?.sentAt).toBeLessThan(firstDue + 2 * MINUTE);
      const mail = await waitFor('the first reminder email', async () => {
        const m = await stack.mailbox.messages();
        return m.length === 1 && m;
      });
      expect(mail[0]?.subject).toBe(`Reminder: quarterly review #1 of ${p.name}`);
      expect(mail[0]?.envelopeTo.sort()).toEqual(p.emails);
      expect(mail[0]?.text).toContain(' UTC (UTC)');

      // The second reminder two days before the review, then the workflow waits for the outcome.
      await stack.env.sleep(secondDue + MINUTE - (await stack.env.currentTimeMs()));
      const second = await waitFor('the second reminder', async () => {
        const s = await handle.query(statusQuery);
        return s.sentReminders.length === 2 && s;
      });
      expect(second.sentReminders[1]?.dueAt).toBe(secondDue);
      expect(second.sentReminders[1]?.sentAt).toBeGreaterThanOrEqual(secondDue);
      expect(second.sentReminders[1]?.sentAt).toBeLessThan(secondDue + MINUTE);
      expect(second.phase).toBe('waiting-for-review');

      // No outcome within the two-day grace period: the review is missed.
      await stack.env.sleep(firstReviewAt.getTime() + 2 * DAY + MINUTE - (await stack.env.currentTimeMs()));
      await waitFor('the review to be missed', async () => (await handle.query(statusQuery)).phase === 'no-review-scheduled');
      await handle.executeUpdate(endUpdate, { args: [{ outcome: 'completed' }] });
      await handle.result();
      await recordHistory(handle, 'two-reminders-missed-review-ended');
    });

    const messages = await stack.mailbox.messages();
    expect(messages.map((m) => m.messageId)).toEqual([
      `<review.${p.review.id}.reminder.1@tandem>`,
      `<review.${p.review.id}.reminder.2@tandem>`,
      `<review.${p.review.id}.missed@tandem>`,
    ]);
    // Without an executive sponsor among the members, the leads hear of the missed review.
    expect(messages[2]?.subject).toBe(`Missed: quarterly review #1 of ${p.name}`);
    expect(messages[2]?.envelopeTo.sort()).toEqual(p.emails);
    const outbox = await stack.database.db.emailOutbox.findMany({ where: { partnershipId: p.id }, orderBy: { idempotencyKey: 'asc' } });
    expect(outbox.map((o) => [o.idempotencyKey, o.status, o.attempts, o.dueAt?.getTime()])).toEqual([
      [`review:${p.review.id}:missed`, 'sent', 1, firstReviewAt.getTime() + 2 * DAY],
      [`review:${p.review.id}:reminder:1`, 'sent', 1, firstDue],
      [`review:${p.review.id}:reminder:2`, 'sent', 1, secondDue],
    ]);
    const events = await stack.database.db.partnershipEvent.findMany({ where: { partnershipId: p.id }, orderBy: { id: 'asc' } });
    expect(events.map((e) => e.type)).toEqual([
      'partnership.activated',
      'review.reminder_sent',
      'review.reminder_sent',
      'review.missed',
      'partnership.completed',
    ]);
    expect((await stack.database.db.review.findUniqueOrThrow({ where: { id: p.review.id } })).status).toBe('missed');
    expect((await stack.database.db.partnership.findUniqueOrThrow({ where: { id: p.id } })).status).toBe('completed');
  });

  it('skips a reminder that was already past when the partnership was set up', async () => {
    const t0 = await stack.env.currentTimeMs();
    const firstReviewAt = new Date(t0 + 3 * DAY);
    const p = await createPartnershipRecord(stack.database.db, {
      firstReviewAt,
      reminderOffsets: ['P14D', 'P2D'],
      timeZone: 'UTC',
      plannedAt: t0,
    });
    const worker = await startWorker();
    const status = await worker.runUntil(async () => {
      const handle = await stack.env.client.workflow.start(partnershipWorkflow, {
        workflowId: partnershipWorkflowId(p.id),
        taskQueue: 'tandem-test',
        args: [{ partnershipId: p.id }],
      });
      await stack.env.sleep(firstReviewAt.getTime() - (await stack.env.currentTimeMs()));
      await waitFor('the review time', async () => (await handle.query(statusQuery)).phase === 'waiting-for-outcome');
      const status = await handle.query(statusQuery);
      await handle.executeUpdate(endUpdate, { args: [{ outcome: 'ended_early', reason: 'district withdrew' }] });
      await handle.result();
      await recordHistory(handle, 'past-reminder-skipped-ended-early');
      return status;
    });
    expect(status.sentReminders.map((r) => [r.index, r.dueAt])).toEqual([[2, firstReviewAt.getTime() - 2 * DAY]]);
    const outbox = await stack.database.db.emailOutbox.findMany({ where: { partnershipId: p.id } });
    expect(outbox.map((o) => o.idempotencyKey)).toEqual([`review:${p.review.id}:reminder:2`]);
  });

  it('sends nothing twice when a reminder activity runs again', async () => {
    const t0 = await stack.env.currentTimeMs();
    const p = await createPartnershipRecord(stack.database.db, {
      firstReviewAt: new Date(t0 + 5 * DAY),
      reminderOffsets: ['P1D'],
      plannedAt: t0,
    });
    const before = (await stack.mailbox.messages()).length;
    const activities = createActivities({ db: stack.database.db, mailer: stack.mailer, publicUrl: 'http://tandem.test' });
    const activityEnv = new MockActivityEnvironment();
    const input = { partnershipId: p.id, reviewId: p.review.id, reminderIndex: 1, dueAt: t0 + 4 * DAY };
    expect(await activityEnv.run(activities.sendReviewReminder, input)).toEqual({
      idempotencyKey: `review:${p.review.id}:reminder:1`,
      status: 'sent',
    });
    expect(await activityEnv.run(activities.sendReviewReminder, input)).toEqual({
      idempotencyKey: `review:${p.review.id}:reminder:1`,
      status: 'already-sent',
    });
    await waitFor('the reminder email', async () => (await stack.mailbox.messages()).length === before + 1);
    await new Promise((r) => setTimeout(r, 300));
    expect((await stack.mailbox.messages()).length).toBe(before + 1);
    expect(await stack.database.db.emailOutbox.count({ where: { partnershipId: p.id } })).toBe(1);
    expect(await stack.database.db.partnershipEvent.count({ where: { partnershipId: p.id, type: 'review.reminder_sent' } })).toBe(1);
  });
});

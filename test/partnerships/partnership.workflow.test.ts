import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { endUpdate, statusQuery } from '../../workflows/partnerships/partnership.js';
import { testSealer, testTaskLinks } from '../support/auth.js';
import { createPartnershipRecord, DAY, MINUTE, outboxMessages, recordHistory, useTimeSkippingStack, waitFor } from '../support/kit.js';

describe('partnership workflow (time-skipping test server)', () => {
  const stack = useTimeSkippingStack('tandem-test');

  async function startWorker() {
    return stack.newWorker();
  }

  /** The worker's activities, to run one directly (MockActivityEnvironment). */
  const testActivities = () =>
    createActivities({
      db: stack.database.db,
      mailer: stack.mailer,
      publicUrl: 'http://tandem.test',
      mailGiveUpAfterMs: 86_400_000,
      taskLinks: testTaskLinks(stack.database.db),
      sealer: testSealer,
    });

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
      const handle = await stack.startPartnership(p.id);

      await stack.env.sleep(firstDue - (await stack.env.currentTimeMs()) - MINUTE);
      const before = await handle.query(statusQuery);
      expect(before.phase).toBe('waiting-for-reminder');
      expect(before.nextReminderAt).toBe(firstDue);
      expect(before.sentReminders).toEqual([]);
      // Only the invitation, one copy per member, has gone out so far.
      const invitations = await stack.mailbox.messages();
      expect(invitations.map((m) => [m.subject, m.calendar?.includes('METHOD:REQUEST')])).toEqual(
        p.emails.map(() => [`Invitation: review #1 of ${p.name}`, true]),
      );
      const reminders = async () => (await stack.mailbox.messages()).filter((m) => m.subject.startsWith('Reminder:'));

      await stack.env.sleep(2 * MINUTE);
      const first = await waitFor('the first reminder', async () => {
        const s = await handle.query(statusQuery);
        return s.sentReminders.length === 1 && s;
      });
      expect(first.sentReminders[0]?.dueAt).toBe(firstDue);
      expect(first.sentReminders[0]?.sentAt).toBeGreaterThanOrEqual(firstDue);
      expect(first.sentReminders[0]?.sentAt).toBeLessThan(firstDue + 2 * MINUTE);
      const mail = await waitFor('the first reminder email', async () => {
        const m = await reminders();
        return m.length === p.emails.length && m;
      });
      expect(mail.map((m) => m.subject)).toEqual(p.emails.map(() => `Reminder: review #1 of ${p.name}`));
      expect(mail.flatMap((m) => m.envelopeTo).sort()).toEqual(p.emails);
      // In UTC the zone is named once.
      expect(mail[0]?.text).toMatch(/ UTC\./);
      expect(mail[0]?.text).not.toContain('UTC (UTC)');

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
      await recordHistory(handle, 'two-reminders-missed-review-ended-local-steps');
    });

    const members = await stack.database.db.person.findMany({ where: { email: { in: p.emails } } });
    const copies = (key: string) => members.map((m) => `<${key}.to.${m.id}@tandem>`).sort();
    const messages = await stack.mailbox.messages();
    const arrived = (prefix: string) =>
      messages
        .filter((m) => m.subject.startsWith(prefix))
        .map((m) => m.messageId)
        .sort();
    expect(arrived('Reminder:')).toEqual(
      [...copies(`review.${p.review.id}.reminder.1`), ...copies(`review.${p.review.id}.reminder.2`)].sort(),
    );
    // Without an executive sponsor among the members, the leads hear of the missed review.
    expect(arrived(`Missed: review #1 of ${p.name}`)).toEqual(copies(`review.${p.review.id}.missed`));
    expect(messages).toHaveLength(p.emails.length * 5);
    const outbox = await outboxMessages(stack.database.db, { partnershipId: p.id, template: { in: ['review-reminder', 'review-missed'] } });
    const sentOnce = p.emails.map(() => 'sent');
    expect(outbox.map((o) => [o.messageKey, o.statuses, o.attempts, o.dueAt])).toEqual([
      [`review:${p.review.id}:reminder:1`, sentOnce, [1, 1], firstDue],
      [`review:${p.review.id}:reminder:2`, sentOnce, [1, 1], secondDue],
      [`review:${p.review.id}:missed`, sentOnce, [1, 1], firstReviewAt.getTime() + 2 * DAY],
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
      const handle = await stack.startPartnership(p.id);
      await stack.env.sleep(firstReviewAt.getTime() - (await stack.env.currentTimeMs()));
      await waitFor('the review time', async () => (await handle.query(statusQuery)).phase === 'waiting-for-outcome');
      const status = await handle.query(statusQuery);
      await handle.executeUpdate(endUpdate, { args: [{ outcome: 'ended_early', reason: 'district withdrew' }] });
      await handle.result();
      await recordHistory(handle, 'past-reminder-skipped-ended-early-local-steps');
      return status;
    });
    expect(status.sentReminders.map((r) => [r.index, r.dueAt])).toEqual([[2, firstReviewAt.getTime() - 2 * DAY]]);
    const outbox = await outboxMessages(stack.database.db, { partnershipId: p.id, template: 'review-reminder' });
    expect(outbox.map((o) => o.messageKey)).toEqual([`review:${p.review.id}:reminder:2`]);
  });

  it('sends nothing twice when a reminder activity runs again', async () => {
    const t0 = await stack.env.currentTimeMs();
    const p = await createPartnershipRecord(stack.database.db, {
      firstReviewAt: new Date(t0 + 5 * DAY),
      reminderOffsets: ['P1D'],
      plannedAt: t0,
    });
    const before = (await stack.mailbox.messages()).length;
    const activities = testActivities();
    const activityEnv = new MockActivityEnvironment();
    const input = { partnershipId: p.id, reviewId: p.review.id, reminderIndex: 1, dueAt: t0 + 4 * DAY };
    const messageKey = `review:${p.review.id}:reminder:1`;
    expect(await activityEnv.run(activities.sendReviewReminder, input)).toEqual({ messageKey, copies: { sent: p.emails.length } });
    expect(await activityEnv.run(activities.sendReviewReminder, input)).toEqual({
      messageKey,
      copies: { 'already-sent': p.emails.length },
    });
    // The review was written without its workflow planning it (as reviews planned before invitations
    // existed were): its invitation goes out with the reminder, once too.
    const copies = before + 2 * p.emails.length;
    await waitFor('the reminder emails', async () => (await stack.mailbox.messages()).length === copies);
    await new Promise((r) => setTimeout(r, 300));
    expect((await stack.mailbox.messages()).length).toBe(copies);
    const outbox = await outboxMessages(stack.database.db, { partnershipId: p.id });
    expect(outbox.map((o) => [o.messageKey, o.recipients.length])).toEqual([
      [`review:${p.review.id}:invitation:0`, p.emails.length],
      [messageKey, p.emails.length],
    ]);
    expect(await stack.database.db.partnershipEvent.count({ where: { partnershipId: p.id, type: 'review.reminder_sent' } })).toBe(1);
  });

  it('records an outcome once when its step runs again later under the same update, and refuses another update', async () => {
    const t0 = await stack.env.currentTimeMs();
    const p = await createPartnershipRecord(stack.database.db, {
      firstReviewAt: new Date(t0 + 5 * DAY),
      reminderOffsets: [],
      plannedAt: t0,
    });
    const activities = testActivities();
    const activityEnv = new MockActivityEnvironment();
    const ana = p.districtLead.id;
    const commitment = {
      id: crypto.randomUUID(),
      ownerId: ana,
      side: 'district' as const,
      description: 'Share the plan',
      dueAt: t0 + 30 * DAY,
    };
    const outcome = {
      partnershipId: p.id,
      reviewId: p.review.id,
      outcome: 'held' as const,
      commitments: [commitment],
      updateId: 'update-1',
    };
    await activityEnv.run(activities.recordReviewOutcome, { ...outcome, at: t0 + 5 * DAY });
    // A local activity whose workflow task failed runs again in the next one, an instant later.
    await activityEnv.run(activities.recordReviewOutcome, { ...outcome, at: t0 + 5 * DAY + 1500 });
    await expect(
      activityEnv.run(activities.recordReviewOutcome, { ...outcome, updateId: 'update-2', at: t0 + 5 * DAY + 3000 }),
    ).rejects.toThrow(/is already held/);
    const review = await stack.database.db.review.findUniqueOrThrow({ where: { id: p.review.id } });
    expect([review.status, review.outcomeAt?.getTime(), review.outcomeUpdateId]).toEqual(['held', t0 + 5 * DAY, 'update-1']);
    expect(await stack.database.db.commitment.count({ where: { partnershipId: p.id } })).toBe(1);
    expect(await stack.database.db.partnershipEvent.count({ where: { partnershipId: p.id, type: 'review.held' } })).toBe(1);
  });
});

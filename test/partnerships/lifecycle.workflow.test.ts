import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import * as flow from '../../workflows/partnerships/partnership.js';
import { parseInvitation } from '../support/ics.js';
import {
  createRecurringPartnershipRecord,
  DAY,
  expectRejected,
  HOUR,
  outboxMessages,
  recordHistory,
  useTimeSkippingStack,
  waitFor,
} from '../support/kit.js';

describe('partnership lifecycle over five quarterly reviews (time-skipping)', () => {
  const stack = useTimeSkippingStack('tandem-lifecycle');

  it('holds, moves, misses, pauses through, reschedules and skips reviews, rejecting bad transitions', async () => {
    const t0 = await stack.env.currentTimeMs();
    // Quarterly on the 15th at 15:30 UTC, from the month after next (dates depend on the day the test runs).
    const first = DateTime.fromMillis(t0, { zone: 'UTC' })
      .plus({ months: 2 })
      .set({ day: 15, hour: 15, minute: 30, second: 0, millisecond: 0 });
    const regular = [0, 3, 6, 9, 12].map((m) => first.plus({ months: m }));
    const r2 = regular[1] as DateTime;
    const p = await createRecurringPartnershipRecord(stack.database.db, {
      rrule: 'FREQ=MONTHLY;INTERVAL=3',
      start: first.toFormat("yyyy-MM-dd'T'HH:mm"),
      timeZone: 'UTC',
      blackouts: [{ start: r2.minus({ days: 1 }).toISODate() as string, end: r2.plus({ days: 2 }).toISODate() as string, label: 'break' }],
      reminderOffsets: ['P14D', 'P2D'],
    });
    const R = regular.map((d) => d.toMillis());
    const R2moved = r2.plus({ weeks: 1 }).toMillis();
    const R4rescheduled = (R[3] as number) + 2 * DAY;
    let skipped4At = 0;

    const worker = await stack.newWorker();

    await worker.runUntil(async () => {
      const handle = await stack.startPartnership(p.id);
      const status = () => handle.query(flow.statusQuery);
      const until = (what: string, ok: (s: flow.PartnershipStatus) => boolean) =>
        waitFor(what, async () => {
          const s = await status();
          return ok(s) && s;
        });

      // Review 1: both reminders, then held.
      const s1 = await until('review 1 to be planned', (s) => s.currentReview?.sequence === 1);
      expect(s1.currentReview?.scheduledAt).toBe(R[0]);
      const review1 = s1.currentReview?.id as string;
      await expectRejected(
        handle.executeUpdate(flow.recordOutcomeUpdate, { args: [{ reviewId: review1, outcome: 'held' }] }),
        /before it takes place/,
      );
      await expectRejected(handle.executeUpdate(flow.resumeUpdate, { args: [{}] }), /cannot resume a partnership that is active/);
      await stack.sleepUntil((R[0] as number) + HOUR);
      await until('review 1 to be under way', (s) => s.phase === 'waiting-for-outcome');
      await handle.executeUpdate(flow.recordOutcomeUpdate, {
        args: [{ reviewId: review1, outcome: 'held', notes: 'Walkthrough data reviewed', decisions: ['Add a second coach'] }],
      });
      await expectRejected(
        handle.executeUpdate(flow.recordOutcomeUpdate, { args: [{ reviewId: review1, outcome: 'held' }] }),
        /not awaiting an outcome/,
      );

      // Review 2: moved a week by the blackout, no outcome recorded: missed after two days.
      const s2 = await until('review 2 to be planned', (s) => s.currentReview?.sequence === 2);
      expect(s2.currentReview?.scheduledAt).toBe(R2moved);
      await stack.sleepUntil(R2moved + 2 * DAY + HOUR);

      // Review 3: the partnership is paused before its reminders and resumed after its date.
      const s3 = await until('review 3 to be planned', (s) => s.currentReview?.sequence === 3);
      expect(s3.currentReview?.scheduledAt).toBe(R[2]);
      await handle.executeUpdate(flow.pauseUpdate, { args: [{ reason: 'superintendent transition' }] });
      await expectRejected(handle.executeUpdate(flow.pauseUpdate, { args: [{}] }), /cannot pause a partnership that is paused/);
      await stack.sleepUntil((R[2] as number) + 3 * DAY);
      expect((await status()).phase).toBe('paused');
      await handle.executeUpdate(flow.resumeUpdate, { args: [{}] });

      // Review 4: rescheduled two days later (not into the past), then skipped in advance.
      const s4 = await until('review 4 to be planned', (s) => s.currentReview?.sequence === 4);
      expect(s4.currentReview?.scheduledAt).toBe(R[3]);
      const review4 = s4.currentReview?.id as string;
      await expectRejected(
        handle.executeUpdate(flow.rescheduleReviewUpdate, { args: [{ reviewId: review4, at: (await stack.env.currentTimeMs()) - HOUR }] }),
        /into the past/,
      );
      await handle.executeUpdate(flow.rescheduleReviewUpdate, { args: [{ reviewId: review4, at: R4rescheduled }] });
      await until('review 4 to move', (s) => s.currentReview?.scheduledAt === R4rescheduled);
      await stack.sleepUntil(R4rescheduled - 2 * DAY + HOUR);
      await until('the second reminder of review 4', (s) => s.sentReminders.some((r) => r.index === 2));
      skipped4At = await stack.env.currentTimeMs();
      await handle.executeUpdate(flow.recordOutcomeUpdate, {
        args: [{ reviewId: review4, outcome: 'skipped', reason: 'state testing window' }],
      });

      // Review 5 is planned; the partnership is completed before it.
      const s5 = await until('review 5 to be planned', (s) => s.currentReview?.sequence === 5);
      expect(s5.currentReview?.scheduledAt).toBe(R[4]);
      await expectRejected(handle.executeUpdate(flow.endUpdate, { args: [{ outcome: 'ended_early' }] }), /needs a reason/);
      await handle.executeUpdate(flow.endUpdate, { args: [{ outcome: 'completed' }] });
      await handle.result();
      await recordHistory(handle, 'five-reviews-lifecycle-local-steps');
      await recordHistory(handle, 'five-reviews-lifecycle-answers-first');
      await recordHistory(handle, 'five-reviews-lifecycle-outcome-while-planning');
      await recordHistory(handle, 'five-reviews-lifecycle-local-outcomes');
      await recordHistory(handle, 'five-reviews-lifecycle-answer-before-next');
    });

    const reviews = await stack.database.db.review.findMany({ where: { partnershipId: p.id }, orderBy: { sequence: 'asc' } });
    expect(reviews.map((r) => [r.sequence, r.status, r.scheduledAt.getTime(), r.originalAt?.getTime() ?? null, r.skipReason])).toEqual([
      [1, 'held', R[0], null, null],
      [2, 'missed', R2moved, R[1], null],
      [3, 'skipped', R[2], null, 'the partnership was paused'],
      [4, 'skipped', R4rescheduled, R[3], 'state testing window'],
      [5, 'skipped', R[4], null, 'the partnership ended'],
    ]);
    expect(reviews[0]?.decisions).toEqual(['Add a second coach']);
    const partnership = await stack.database.db.partnership.findUniqueOrThrow({ where: { id: p.id } });
    expect(partnership.status).toBe('completed');

    // One copy per member (Cora and Dev) of every message; reminders for reviews 1, 2 and 4 (4's at its
    // new time), none for 3, paused through; none yet for 5.
    const mail = await outboxMessages(stack.database.db, { partnershipId: p.id });
    const of = (template: string) => mail.filter((m) => m.template === template);
    expect(of('review-reminder').map((o) => [o.dueAt, o.recipients.length])).toEqual(
      [
        (R[0] as number) - 14 * DAY,
        (R[0] as number) - 2 * DAY,
        R2moved - 14 * DAY,
        R2moved - 2 * DAY,
        R4rescheduled - 14 * DAY,
        R4rescheduled - 2 * DAY,
      ].map((at) => [at, 2]),
    );
    expect(mail.every((m) => m.statuses.every((s) => s === 'sent') && m.attempts.every((a) => a === 1))).toBe(true);
    // Review 4, skipped in advance, is cancelled in both calendars once, as of when it was skipped
    // (sent after the update answered: its copies are not part of the wait).
    const cancelled4 = of('review-cancelled').find((m) => m.messageKey === `review:${reviews[3]?.id}:cancel`);
    expect(cancelled4?.recipients.length).toBe(2);
    expect(cancelled4?.dueAt).toBeGreaterThanOrEqual(skipped4At);
    expect(cancelled4?.dueAt).toBeLessThan(R4rescheduled);

    const prompts = await stack.database.db.reflection.findMany({ where: { reviewId: reviews[0]?.id } });
    expect(prompts.map((r) => r.submittedAt)).toEqual([null, null]);
    const heldAt = prompts[0]?.promptedAt.getTime() as number;
    expect(heldAt - ((R[0] as number) + HOUR)).toBeLessThan(60_000);
    const reflectionMail = mail
      .filter((m) => m.template.startsWith('reflection-'))
      .sort((a, b) => (a.dueAt as number) - (b.dueAt as number) || a.messageKey.localeCompare(b.messageKey));
    expect(reflectionMail.map((o) => [o.template, o.dueAt, o.recipients.length])).toEqual([
      ['reflection-prompt', heldAt, 1],
      ['reflection-prompt', heldAt, 1],
      ['reflection-reminder', heldAt + 3 * DAY, 1],
      ['reflection-reminder', heldAt + 3 * DAY, 1],
      ['reflection-reminder', heldAt + 7 * DAY, 1],
      ['reflection-reminder', heldAt + 7 * DAY, 1],
      ['reflection-summary', expect.closeTo(heldAt + 14 * DAY, -3), 2],
    ]);
    expect(
      (await stack.database.db.review.findUniqueOrThrow({ where: { id: reviews[0]?.id } })).reflectionsClosedAt?.getTime(),
    ).toBeCloseTo(heldAt + 14 * DAY, -3);
    expect(of('review-missed').map((o) => [o.messageKey, o.dueAt, o.recipients.length])).toEqual([
      [`review:${reviews[1]?.id}:missed`, R2moved + 2 * DAY, 2],
    ]);

    // Calendar: an invitation per review, a new version when review 4 moved, a cancellation for every
    // review that will not take place; and a notice of each pause, resume and end.
    const [id1, id2, id3, id4, id5] = reviews.map((r) => r.id);
    expect(of('review-invitation').map((o) => [o.messageKey, o.recipients.length])).toEqual(
      [
        `${id1}:invitation:0`,
        `${id2}:invitation:0`,
        `${id3}:invitation:0`,
        `${id4}:invitation:0`,
        `${id4}:invitation:1`,
        `${id5}:invitation:0`,
      ].map((k) => [`review:${k}`, 2]),
    );
    expect(of('review-cancelled').map((o) => o.messageKey)).toEqual([id3, id4, id5].map((id) => `review:${id}:cancel`));
    expect(reviews.map((r) => r.calendarSequence)).toEqual([0, 0, 1, 2, 1]);
    expect(mail.filter((m) => m.template.startsWith('partnership-')).map((o) => [o.template, o.recipients.length])).toEqual([
      ['partnership-paused', 2],
      ['partnership-resumed', 2],
      ['partnership-ended', 2],
    ]);
    const copies = mail.reduce((n, m) => n + m.recipients.length, 0);
    expect(copies).toBe(12 + 8 + 2 + 12 + 6 + 6);
    const received = await stack.mailbox.messages();
    expect(received).toHaveLength(copies);
    const moved = received.filter((m) => m.subject.startsWith('Moved: quarterly review #4'));
    expect(moved.map((m) => m.to)).toEqual(expect.arrayContaining([[expect.stringMatching(/^cora\./)], [expect.stringMatching(/^dev\./)]]));
    const event = parseInvitation(moved[0]?.calendar as string);
    expect(event).toMatchObject({ method: 'REQUEST', uid: `review-${id4}@tandem`, sequence: 1, start: R4rescheduled, status: 'CONFIRMED' });
    expect(event.attendees).toHaveLength(2);
    const cancelled = received.find((m) => m.subject.startsWith('Cancelled: quarterly review #4'));
    expect(parseInvitation(cancelled?.calendar as string)).toMatchObject({
      method: 'CANCEL',
      uid: `review-${id4}@tandem`,
      sequence: 2,
      status: 'CANCELLED',
    });
    expect(cancelled?.text).toContain('will not take place: state testing window');

    const events = await stack.database.db.partnershipEvent.findMany({ where: { partnershipId: p.id }, orderBy: { id: 'asc' } });
    expect(events.map((e) => e.type)).toEqual([
      'partnership.activated',
      'review.planned',
      'review.reminder_sent',
      'review.reminder_sent',
      'review.held',
      'review.planned',
      'review.reflections_closed',
      'review.reminder_sent',
      'review.reminder_sent',
      'review.missed',
      'review.planned',
      'partnership.paused',
      'partnership.active',
      'review.planned',
      'review.rescheduled',
      'review.reminder_sent',
      'review.reminder_sent',
      'review.skipped',
      'review.planned',
      'partnership.completed',
    ]);
    expect(events[5]?.data).toMatchObject({ movedBy: 'break', originalAt: new Date(R[1] as number).toISOString() });
  });
});

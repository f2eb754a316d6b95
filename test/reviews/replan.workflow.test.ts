import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { changeRecurrenceUpdate, recordOutcomeUpdate, statusQuery } from '../../workflows/partnerships/partnership.js';
import { createRecurringPartnershipRecord, HOUR, useTimeSkippingStack, waitFor } from '../support/kit.js';

const QUEUE = 'tandem-replan';

/**
 * A school calendar imported after a review was held, whose days off cover both that review's day
 * and the upcoming review's: the upcoming review moves forward to the first clear week, never back
 * to the week after the review just held (which the blacked-out day of the held review once made the
 * "next" occurrence), and its invitation says from when and why.
 */
describe('replanning from a new school calendar (time-skipping)', () => {
  const stack = useTimeSkippingStack(QUEUE);

  it('moves the upcoming review forward to the first clear week, and says from when and why', async () => {
    const db = stack.database.db;
    const t0 = await stack.env.currentTimeMs();
    const zone = 'America/Chicago';
    const first = DateTime.fromMillis(t0, { zone }).plus({ days: 2 }).set({ hour: 15, minute: 30, second: 0, millisecond: 0 });
    const p = await createRecurringPartnershipRecord(db, {
      rrule: 'FREQ=MONTHLY;INTERVAL=3',
      start: first.toFormat("yyyy-MM-dd'T'HH:mm"),
      timeZone: zone,
      blackouts: [],
      reminderOffsets: ['P1D'],
    });
    await (await stack.newWorker()).runUntil(async () => {
      const handle = await stack.startPartnership(p.id);
      await stack.env.sleep(first.toMillis() + HOUR - (await stack.env.currentTimeMs()));
      const one = await waitFor('review 1 to take place', async () => {
        const s = await handle.query(statusQuery);
        return s.phase === 'waiting-for-outcome' && s.currentReview ? s.currentReview : undefined;
      });
      await handle.executeUpdate(recordOutcomeUpdate, { args: [{ reviewId: one.id, outcome: 'held' }] });
      const two = await waitFor('review 2 to be planned', async () => {
        const s = await handle.query(statusQuery);
        return s.currentReview?.sequence === 2 ? s.currentReview : undefined;
      });
      expect(two.scheduledAt).toBe(first.plus({ months: 3 }).toMillis());
      // Days off on the held review's day and on the upcoming one's.
      const day = (d: DateTime) => d.toISODate() as string;
      const blackouts = [
        { start: day(first), end: day(first), label: 'PD day' },
        { start: day(first.plus({ months: 3 })), end: day(first.plus({ months: 3 })), label: 'Teacher workday' },
      ];
      await handle.executeUpdate(changeRecurrenceUpdate, {
        args: [
          {
            rrule: 'FREQ=MONTHLY;INTERVAL=3',
            start: first.toFormat("yyyy-MM-dd'T'HH:mm"),
            blackouts,
            reason: 'the school calendar "district.ics" changed',
            cause: 'school-calendar',
          },
        ],
      });
      const moved = await db.review.findUniqueOrThrow({ where: { id: two.id } });
      expect(moved.scheduledAt.getTime()).toBe(first.plus({ months: 3, weeks: 1 }).toMillis());
      expect([moved.movedFrom?.getTime(), moved.moveReason]).toEqual([
        first.plus({ months: 3 }).toMillis(),
        'the school calendar "district.ics" changed: Teacher workday has no reviews',
      ]);
      const event = await db.partnershipEvent.findFirstOrThrow({
        where: { partnershipId: p.id, type: 'partnership.school_calendar_applied' },
      });
      expect(event.data).toMatchObject({ reason: 'the school calendar "district.ics" changed' });
      const invitation = await waitFor('the new invitation', async () =>
        (await stack.mailbox.messages()).find((m) => m.subject.startsWith('Moved: quarterly review #2')),
      );
      expect(invitation.text).toContain('Teacher workday has no reviews');
      expect(invitation.text).toContain(first.plus({ months: 3 }).toFormat('LLLL d, yyyy'));
    });
  });
});

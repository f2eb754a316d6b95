import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { createRecurringPartnershipRecord, outboxMessages, useTimeSkippingStack, waitFor } from '../support/kit.js';

// The seeds' community of practice: 22 districts on one calendar. The cohort's scale (hundreds or
// thousands at once) is measured in bench/ (bench:burst, bench:hold), not here.
const PARTNERSHIPS = 22;
const ZONES = ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles'];

describe('a cohort of 22 partnerships through its first year (time-skipping)', () => {
  const stack = useTimeSkippingStack('tandem-cohort');

  it('plans four quarterly reviews for each, sends every reminder once at its local time, and marks unrecorded reviews missed (and says so)', async () => {
    const started = performance.now();
    const t0 = await stack.env.currentTimeMs();
    const yearEnd = DateTime.fromMillis(t0).plus({ years: 1 }).toMillis();
    const cohort = await stack.database.db.cohort.create({ data: { name: 'Community of practice 2027' } });
    const plans: { id: string; reviews: DateTime[] }[] = [];
    for (let i = 0; i < PARTNERSHIPS; i++) {
      const timeZone = ZONES[i % ZONES.length] as string;
      // Quarterly from the month after next, at 15:30 local time on one of five days: a cohort's reviews
      // bunch on a few dates, so five partnerships fall due at each instant, as they do at a quarter's start.
      const first = DateTime.fromMillis(t0, { zone: timeZone })
        .plus({ months: 2 })
        .set({ day: 1 + 5 * (i % 5), hour: 15, minute: 30, second: 0, millisecond: 0 });
      const p = await createRecurringPartnershipRecord(stack.database.db, {
        rrule: 'FREQ=MONTHLY;INTERVAL=3',
        start: first.toFormat("yyyy-MM-dd'T'HH:mm"),
        timeZone,
        blackouts: [],
        reminderOffsets: ['P14D', 'P2D'],
        cohortId: cohort.id,
      });
      plans.push({ id: p.id, reviews: [0, 3, 6, 9, 12].map((m) => first.plus({ months: m })) });
    }

    const worker = await stack.newWorker();
    await worker.runUntil(async () => {
      for (const p of plans) {
        await stack.startPartnership(p.id);
      }
      await stack.env.sleep(yearEnd - (await stack.env.currentTimeMs()));
      // A condition the clock cannot run past: only the first year's reviews count, and "missed" is
      // final. (Counting every missed review hung when the time-skipping clock moved on meanwhile:
      // the count jumped past the figure waited for.)
      await waitFor(
        'every first-year review to be closed',
        async () =>
          (await stack.database.db.review.count({
            where: { partnership: { cohortId: cohort.id }, scheduledAt: { lt: new Date(yearEnd) }, status: 'missed' },
          })) ===
          4 * PARTNERSHIPS,
      );
    });

    // What follows looks at the first year only (and at the review planned after it), whatever the
    // clock did after the wait.
    for (const p of plans) {
      const reviews = (await stack.database.db.review.findMany({ where: { partnershipId: p.id }, orderBy: { sequence: 'asc' } })).slice(
        0,
        5,
      );
      expect(reviews.map((r) => [r.sequence, r.scheduledAt.getTime()])).toEqual(p.reviews.map((d, i) => [i + 1, d.toMillis()]));
      expect(reviews.slice(0, 4).map((r) => r.status)).toEqual(['missed', 'missed', 'missed', 'missed']);
      const mail = (
        await outboxMessages(stack.database.db, {
          partnershipId: p.id,
          template: { in: ['review-reminder', 'review-missed'] },
          dueAt: { lt: new Date(yearEnd) },
        })
      ).sort((a, b) => (a.dueAt as number) - (b.dueAt as number));
      // Two weeks and two days before, at the same local time even across DST; missed two days after.
      const due = p.reviews.slice(0, 4).flatMap((d) => [
        ['review-reminder', d.minus({ days: 14 }).toMillis()],
        ['review-reminder', d.minus({ days: 2 }).toMillis()],
        ['review-missed', d.plus({ days: 2 }).toMillis()],
      ]);
      // One copy to each of the two members.
      expect(mail.map((r) => [r.template, r.dueAt, r.statuses, r.attempts])).toEqual(due.map((d) => [...d, ['sent', 'sent'], [1, 1]]));
      // Each of the five reviews planned so far was sent as an invitation, once to each member.
      expect(
        await stack.database.db.emailOutbox.count({
          where: {
            partnershipId: p.id,
            template: 'review-invitation',
            status: 'sent',
            OR: reviews.map((r) => ({ messageKey: { startsWith: `review:${r.id}:` } })),
          },
        }),
      ).toBe(10);
    }
    // Every copy the outbox sent arrived once, and nothing else did.
    const sent = await stack.database.db.emailOutbox.count({ where: { partnership: { cohortId: cohort.id }, status: 'sent' } });
    const arrived = await stack.mailbox.messages();
    expect(new Set(arrived.map((m) => m.messageId)).size).toBe(arrived.length);
    expect(arrived.length).toBe(sent);
    expect(sent).toBeGreaterThanOrEqual((12 + 5) * 2 * PARTNERSHIPS);
    console.log(`[cohort] ${PARTNERSHIPS} partnerships, first year: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });
});

import { WorkflowUpdateFailedError } from '@temporalio/client';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { commitmentWorkflowId, reflectionWorkflowId } from '../../workflows/ids.js';
import { endUpdate, recordOutcomeUpdate, statusQuery } from '../../workflows/partnerships/partnership.js';
import { createRecurringPartnershipRecord, DAY, recordHistory, useTimeSkippingStack, waitFor } from '../support/kit.js';

/**
 * The missed-review notice says a review that took place can still be recorded: until the next
 * review begins, a missed review may be recorded held (its reflections start, its pledges get their
 * workflows) or skipped. A workflow change, guarded by patched(): histories from before it replay.
 */
describe('recording a missed review late (time-skipping)', () => {
  const stack = useTimeSkippingStack('tandem-late');

  it('records a missed review as held until the next one begins, and refuses it after', async () => {
    const t0 = await stack.env.currentTimeMs();
    const first = DateTime.fromMillis(t0, { zone: 'UTC' }).plus({ days: 10 }).set({ hour: 15, minute: 30, second: 0, millisecond: 0 });
    const p = await createRecurringPartnershipRecord(stack.database.db, {
      rrule: 'FREQ=MONTHLY',
      start: first.toFormat("yyyy-MM-dd'T'HH:mm"),
      timeZone: 'UTC',
      blackouts: [],
      reminderOffsets: ['P1D'],
    });
    const [ana] = await stack.database.db.partnershipMember.findMany({ where: { partnershipId: p.id, role: 'district_lead' } });
    const worker = await stack.newWorker();
    await worker.runUntil(async () => {
      const handle = await stack.startPartnership(p.id);
      // Past review 1 and its two days of grace: it is missed, and review 2 is planned.
      await stack.env.sleep(first.toMillis() + 3 * DAY - t0);
      const s = await waitFor('review 2 to be planned', async () => {
        const status = await handle.query(statusQuery);
        return status.currentReview?.sequence === 2 && status;
      });
      const [r1] = await stack.database.db.review.findMany({ where: { partnershipId: p.id, sequence: 1 } });
      expect(r1?.status).toBe('missed');

      const late = {
        reviewId: r1?.id as string,
        outcome: 'held' as const,
        notes: 'We met after all; nobody recorded it',
        commitments: [
          {
            id: crypto.randomUUID(),
            ownerId: ana?.personId as string,
            side: 'district' as const,
            description: 'Write it up',
            dueAt: t0 + 40 * DAY,
          },
        ],
      };
      await handle.executeUpdate(recordOutcomeUpdate, { args: [late] });
      const recorded = await stack.database.db.review.findUniqueOrThrow({ where: { id: late.reviewId } });
      expect([recorded.status, recorded.notes]).toEqual(['held', late.notes]);
      // Its reflections start as for any held review, and its pledge has its workflow.
      await waitFor(
        'the reflection prompts',
        async () => (await stack.database.db.reflection.count({ where: { reviewId: late.reviewId } })) === 2,
      );
      await stack.env.client.workflow.getHandle(reflectionWorkflowId(late.reviewId)).describe();
      await stack.env.client.workflow.getHandle(commitmentWorkflowId(late.commitments[0]?.id as string)).describe();
      // Once is enough; and review 2, still ahead, is untouched.
      await expect(handle.executeUpdate(recordOutcomeUpdate, { args: [{ ...late, commitments: [] }] })).rejects.toThrow(
        WorkflowUpdateFailedError,
      );
      expect((await handle.query(statusQuery)).currentReview?.id).toBe(s.currentReview?.id);
      const events = await stack.database.db.partnershipEvent.findMany({
        where: { partnershipId: p.id, data: { path: ['reviewId'], equals: late.reviewId } },
      });
      expect(events.map((e) => e.type)).toEqual([
        'review.planned',
        'review.reminder_sent',
        'review.missed',
        'review.held',
        'commitment.created',
      ]);

      // Review 2 is missed too; once review 3 has begun, review 2 can no longer be recorded.
      await stack.env.sleep(first.plus({ months: 2, hours: 1 }).toMillis() - (await stack.env.currentTimeMs()));
      await waitFor('review 3 to be planned', async () => (await handle.query(statusQuery)).currentReview?.sequence === 3);
      const r2 = await stack.database.db.review.findFirstOrThrow({ where: { partnershipId: p.id, sequence: 2 } });
      expect(r2.status).toBe('missed');
      await stack.env.sleep(first.plus({ months: 2, days: 1 }).toMillis() - (await stack.env.currentTimeMs()));
      const refused = handle.executeUpdate(recordOutcomeUpdate, { args: [{ reviewId: r2.id, outcome: 'skipped', reason: 'Too late' }] });
      await expect(refused).rejects.toThrow(WorkflowUpdateFailedError);
      await refused.catch((e: WorkflowUpdateFailedError) => expect(e.cause?.message).toMatch(/the next review has begun/));

      await handle.executeUpdate(endUpdate, { args: [{ outcome: 'completed' }] });
      await handle.result();
      await recordHistory(handle, 'missed-review-recorded-late-local-steps');
    });
  });
});

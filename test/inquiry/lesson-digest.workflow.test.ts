import { describe, expect, it } from 'vitest';
import { lessonDigestWorkflowId } from '../../workflows/ids.js';
import { digestWindow, lessonDigestWorkflow } from '../../workflows/inquiry/lesson-digest.js';
import { createPartnershipRecord, DAY, HOUR, outboxMessages, recordHistory, useTimeSkippingStack, waitFor } from '../support/kit.js';

const QUEUE = 'tandem-lesson-digest';

/**
 * A cohort's monthly digest of lessons: on the first of the month, the lessons shared in the month
 * before go to every member of its running partnerships (not to one who takes essential mail only)
 * and to its coordinators, once; older lessons are not sent again; the workflow ends when the cohort
 * is gone.
 */
describe("a cohort's monthly digest of lessons (time-skipping)", () => {
  const stack = useTimeSkippingStack(QUEUE);

  it('sends the month’s new lessons once to the cohort, and ends when the cohort is gone', async () => {
    const db = stack.database.db;
    const t0 = await stack.env.currentTimeMs();
    const { from, until } = digestWindow(t0);
    const cohort = await db.cohort.create({ data: { name: `Digest cohort ${t0}` } });
    const p = await createPartnershipRecord(db, { firstReviewAt: new Date(t0 + 30 * DAY), reminderOffsets: [], plannedAt: t0 });
    await db.partnership.update({ where: { id: p.id }, data: { cohortId: cohort.id, status: 'active' } });
    const ended = await createPartnershipRecord(db, { firstReviewAt: new Date(t0 + 30 * DAY), reminderOffsets: [], plannedAt: t0 });
    await db.partnership.update({ where: { id: ended.id }, data: { cohortId: cohort.id, status: 'completed' } });
    await db.partnershipMember.update({
      where: { partnershipId_personId: { partnershipId: p.id, personId: p.partnerLead.id } },
      data: { notifications: 'essential' },
    });
    const coordinator = await db.person.create({ data: { name: 'Cora Lee', email: `cora.${t0}@cohort.example` } });
    await db.cohortCoordinator.create({ data: { cohortId: cohort.id, personId: coordinator.id } });
    const lesson = async (title: string, sharedAt: number | null, partnershipId = p.id) => {
      const cycle = await db.inquiryCycle.create({
        data: {
          partnershipId,
          number: Math.floor(Math.random() * 1e6),
          question: 'Do data chats help?',
          startedAt: new Date(t0),
          status: 'closed',
        },
      });
      await db.lesson.create({
        data: {
          cycleId: cycle.id,
          partnershipId,
          title,
          theme: 'coaching',
          tried: 'Weekly data chats',
          saw: `${title}: fluency rose in most classrooms`,
          next: 'Keep them',
          sharedAt: sharedAt === null ? null : new Date(sharedAt),
          actor: 'person',
          updatedAt: new Date(t0),
        },
      });
    };
    await lesson('Data chats work', t0);
    await lesson('Kept in the partnership', null);
    await lesson('Shared the month before', from - DAY);

    await (await stack.newWorker()).runUntil(async () => {
      const handle = await stack.env.client.workflow.start(lessonDigestWorkflow, {
        workflowId: lessonDigestWorkflowId(cohort.id),
        taskQueue: QUEUE,
        args: [{ cohortId: cohort.id }],
      });
      await stack.sleepUntil(until - HOUR);
      expect(await db.emailOutbox.count({ where: { template: 'lesson-digest' } })).toBe(0);
      await stack.sleepUntil(until + HOUR);
      await waitFor('the digest', async () => (await db.emailOutbox.count({ where: { template: 'lesson-digest' } })) >= 2);
      const sent = await outboxMessages(db, { template: 'lesson-digest' });
      const ana = p.districtLead.email;
      expect(sent.map((m) => [m.recipients, m.subject])).toEqual([
        [
          [ana, coordinator.email].sort(),
          `${cohort.name}: 1 new lesson from ${new Date(from).toLocaleString('en-US', { month: 'long', timeZone: 'UTC' })} ${new Date(from).getUTCFullYear()}`,
        ],
      ]);
      const copy = await db.emailOutbox.findFirstOrThrow({ where: { template: 'lesson-digest' } });
      expect(copy.text).toContain('Data chats work: fluency rose in most classrooms');
      expect(copy.text).not.toContain('Shared the month before');
      expect(copy.text).not.toContain('Kept in the partnership');

      // The next month has no new lesson: no message. Then the cohort is gone, and so is its digest.
      await stack.sleepUntil(digestWindow(until + HOUR).until + HOUR);
      await db.cohort.delete({ where: { id: cohort.id } });
      await handle.result();
      expect(await db.emailOutbox.count({ where: { template: 'lesson-digest' } })).toBe(2);
      await recordHistory(handle, 'month-then-cohort-gone');
    });
  });
});

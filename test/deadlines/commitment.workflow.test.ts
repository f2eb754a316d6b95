import { describe, expect, it } from 'vitest';
import { commitmentWorkflow } from '../../workflows/deadlines/commitment.js';
import {
  type CommitmentStatus,
  commitmentStatusQuery,
  completeCommitmentUpdate,
  dropCommitmentUpdate,
  extendCommitmentUpdate,
} from '../../workflows/deadlines/messages.js';
import { createPartnershipRecord, DAY, HOUR, outboxMessages, recordHistory, useTimeSkippingStack, waitFor } from '../support/kit.js';

describe('commitment deadline workflow (time-skipping)', () => {
  const stack = useTimeSkippingStack('tandem-commitments');

  /** A partnership with leads on both sides and a sponsor; the partner lead owns a commitment due in `dueInDays`. */
  async function setUp(dueInDays: number) {
    const t0 = await stack.env.currentTimeMs();
    const p = await createPartnershipRecord(stack.database.db, {
      firstReviewAt: new Date(t0 + 90 * DAY),
      reminderOffsets: ['P2D'],
      timeZone: 'UTC',
      plannedAt: t0,
      withSponsor: true,
    });
    const sponsor = p.sponsor as { id: string; name: string; email: string };
    const owner = p.partnerLead;
    const lead = p.districtLead;
    const dueAt = t0 + dueInDays * DAY;
    const commitment = await stack.database.db.commitment.create({
      data: {
        partnershipId: p.id,
        ownerId: owner.id,
        side: 'partner',
        description: 'Share coaching logs <b>for Q1</b>',
        dueAt: new Date(dueAt),
      },
    });
    const handle = await stack.env.client.workflow.start(commitmentWorkflow, {
      workflowId: `commitment:${commitment.id}`,
      taskQueue: 'tandem-commitments',
      args: [{ commitmentId: commitment.id }],
    });
    return {
      handle,
      commitment,
      dueAt,
      owner: owner.email,
      lead: lead.email,
      sponsor: sponsor.email,
      partnershipId: p.id,
    };
  }

  const notices = async (partnershipId: string) =>
    (await outboxMessages(stack.database.db, { partnershipId, template: { startsWith: 'commitment-' } })).map((o) => [
      o.template,
      o.dueAt,
      o.recipients,
      o.statuses.every((st) => st === 'sent') ? 'sent' : o.statuses.join(),
    ]);

  it('reminds the owner, turns overdue at the due time, escalates to the leads then the sponsor, and closes when done', async () => {
    await (await stack.newWorker()).runUntil(async () => {
      const s = await setUp(20);
      const until = (ok: (st: CommitmentStatus) => boolean) =>
        waitFor('the commitment status', async () => {
          const st = await s.handle.query(commitmentStatusQuery);
          return ok(st) && st;
        });

      // The owner is told at once that it is theirs; nothing more until the first reminder.
      const assigned = ['commitment-assigned', s.commitment.createdAt.getTime(), [s.owner], 'sent'];
      await waitFor('the owner to be told', async () => (await notices(s.partnershipId)).length === 1);
      await stack.sleepUntil(s.dueAt - 7 * DAY - HOUR);
      expect(await notices(s.partnershipId)).toEqual([assigned]);
      await stack.sleepUntil(s.dueAt + 10 * DAY + HOUR);
      const st = await until((x) => x.notices.length === 5);
      expect(st.status).toBe('overdue');
      expect(st.notices.every((n) => n.sentAt >= n.stage.at && n.sentAt < n.stage.at + HOUR)).toBe(true);
      expect(await notices(s.partnershipId)).toEqual([
        assigned,
        ['commitment-reminder', s.dueAt - 7 * DAY, [s.owner], 'sent'],
        ['commitment-reminder', s.dueAt - DAY, [s.owner], 'sent'],
        ['commitment-overdue', s.dueAt, [s.owner], 'sent'],
        ['commitment-escalation', s.dueAt + 3 * DAY, [s.lead, s.owner].sort(), 'sent'],
        ['commitment-escalation', s.dueAt + 10 * DAY, [s.owner, s.sponsor].sort(), 'sent'],
      ]);
      expect((await stack.database.db.commitment.findUniqueOrThrow({ where: { id: s.commitment.id } })).status).toBe('overdue');
      const overdueMail = (await stack.mailbox.messages()).find((m) => m.subject.startsWith('Overdue:'));
      expect(overdueMail?.html).toContain('Share coaching logs &lt;b>for Q1&lt;/b>');
      expect(overdueMail?.html).not.toContain('<b>');

      await s.handle.executeUpdate(completeCommitmentUpdate, { args: [{ note: 'Logs shared in the portal' }] });
      await s.handle.result();
      await recordHistory(s.handle, 'overdue-escalated-completed-local-steps');
      const done = await stack.database.db.commitment.findUniqueOrThrow({ where: { id: s.commitment.id } });
      expect([done.status, done.closeNote]).toEqual(['done', 'Logs shared in the portal']);
    });
  });

  it('moves every timer when extended with a reason, rejects bad changes, and stops when dropped', async () => {
    await (await stack.newWorker()).runUntil(async () => {
      const s = await setUp(20);
      const assigned = ['commitment-assigned', s.commitment.createdAt.getTime(), [s.owner], 'sent'];
      await stack.sleepUntil(s.dueAt - 7 * DAY + HOUR);
      await waitFor('the first reminder', async () => (await s.handle.query(commitmentStatusQuery)).notices.length === 1);

      const rejection = async (update: Promise<unknown>) =>
        update.then(
          () => 'accepted',
          (e: { cause?: { message?: string } }) => e.cause?.message,
        );
      const newDue = s.dueAt + 20 * DAY;
      expect(await rejection(s.handle.executeUpdate(extendCommitmentUpdate, { args: [{ dueAt: newDue, reason: ' ' }] }))).toBe(
        'extending a commitment needs a reason',
      );
      expect(
        await rejection(
          s.handle.executeUpdate(extendCommitmentUpdate, { args: [{ dueAt: (await stack.env.currentTimeMs()) - HOUR, reason: 'x' }] }),
        ),
      ).toBe('the new due time must be in the future');
      await s.handle.executeUpdate(extendCommitmentUpdate, { args: [{ dueAt: newDue, reason: 'district data arrives late' }] });

      // Nothing at the old due time; the new series starts seven days before the new one.
      await stack.sleepUntil(newDue - 7 * DAY + HOUR);
      await waitFor('the new first reminder', async () => (await s.handle.query(commitmentStatusQuery)).notices.length === 1);
      expect(await rejection(s.handle.executeUpdate(dropCommitmentUpdate, { args: [{ reason: '' }] }))).toBe(
        'dropping a commitment needs a reason',
      );
      await s.handle.executeUpdate(dropCommitmentUpdate, { args: [{ reason: 'superseded by the new literacy plan' }] });
      await s.handle.result();
      await recordHistory(s.handle, 'extended-then-dropped-local-steps');

      expect(await notices(s.partnershipId)).toEqual([
        assigned,
        ['commitment-reminder', s.dueAt - 7 * DAY, [s.owner], 'sent'],
        ['commitment-reminder', newDue - 7 * DAY, [s.owner], 'sent'],
      ]);
      const c = await stack.database.db.commitment.findUniqueOrThrow({ where: { id: s.commitment.id }, include: { extensions: true } });
      expect([c.status, c.dueAt.getTime(), c.closeNote]).toEqual(['dropped', newDue, 'superseded by the new literacy plan']);
      expect(c.extensions.map((e) => [e.fromDueAt.getTime(), e.toDueAt.getTime(), e.reason])).toEqual([
        [s.dueAt, newDue, 'district data arrives late'],
      ]);
    });
  });
});

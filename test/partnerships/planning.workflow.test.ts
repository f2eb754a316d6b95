import { WithStartWorkflowOperation, WorkflowUpdateStage } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { partnershipWorkflowId } from '../../workflows/ids.js';
import * as flow from '../../workflows/partnerships/partnership.js';
import { createPartnershipRecord, DAY, expectRejected, HOUR, recordHistory, useTimeSkippingStack, waitFor } from '../support/kit.js';

const QUEUE = 'tandem-planning';

/**
 * A partnership in planning sends nothing until it is activated, by someone or at its planned start;
 * one ended in planning was never announced and tells nobody; a planned end completes it by itself,
 * with its notice.
 */
describe('planning, activation and the planned end (time-skipping)', () => {
  const stack = useTimeSkippingStack(QUEUE);
  const mailOf = async (partnershipId: string) =>
    (await stack.database.db.emailOutbox.findMany({ where: { partnershipId }, orderBy: { createdAt: 'asc' } })).map((m) => m.template);

  /** The partnership's record, its first review `firstReviewInDays` from the test server's now. */
  async function record(firstReviewInDays = 30) {
    const t0 = await stack.env.currentTimeMs();
    const p = await createPartnershipRecord(stack.database.db, {
      firstReviewAt: new Date(t0 + firstReviewInDays * DAY),
      reminderOffsets: ['P14D', 'P2D'],
      timeZone: 'UTC',
      plannedAt: t0,
    });
    return { t0, p };
  }

  async function start(plan: flow.PartnershipPlan, firstReviewInDays = 30) {
    const { t0, p } = await record(firstReviewInDays);
    const handle = await stack.env.client.workflow.start(flow.partnershipWorkflow, {
      workflowId: partnershipWorkflowId(p.id),
      taskQueue: QUEUE,
      args: [{ partnershipId: p.id, plan }],
    });
    return { t0, p, handle };
  }

  it('waits in planning without a word until its planned start, then invites and reminds as usual', async () => {
    await (await stack.newWorker()).runUntil(async () => {
      const now = await stack.env.currentTimeMs();
      const { t0, p, handle } = await start({ planning: true, plannedStart: now + 10 * DAY });
      expect((await handle.query(flow.statusQuery)).phase).toBe('planning');
      await expectRejected(handle.executeUpdate(flow.pauseUpdate, { args: [{}] }), /cannot pause a partnership that is planning/);
      await expectRejected(
        handle.executeUpdate(flow.recordOutcomeUpdate, { args: [{ reviewId: p.review.id, outcome: 'skipped', reason: 'no' }] }),
        /still in planning: activate it first/,
      );
      await stack.sleepUntil(t0 + 10 * DAY - HOUR);
      expect((await handle.query(flow.statusQuery)).phase).toBe('planning');
      expect(await mailOf(p.id)).toEqual([]);
      expect((await stack.database.db.partnership.findUniqueOrThrow({ where: { id: p.id } })).status).toBe('planning');

      await stack.sleepUntil(t0 + 10 * DAY + HOUR);
      await waitFor('the invitation once it has started', async () => (await mailOf(p.id)).includes('review-invitation'));
      expect((await stack.database.db.partnership.findUniqueOrThrow({ where: { id: p.id } })).status).toBe('active');
      await expectRejected(handle.executeUpdate(flow.activateUpdate, { args: [{}] }), /cannot activate a partnership that is active/);
      // The first reminder, 14 days before the review on day 30.
      await stack.sleepUntil(t0 + 16 * DAY + HOUR);
      await waitFor('the first reminder', async () => (await mailOf(p.id)).includes('review-reminder'));
      await handle.executeUpdate(flow.endUpdate, { args: [{ outcome: 'completed' }] });
      await handle.result();
      await recordHistory(handle, 'planning-until-planned-start-local-steps');
    });
  });

  it('starts when someone activates it, and names who did', async () => {
    await (await stack.newWorker()).runUntil(async () => {
      const { p, handle } = await start({ planning: true });
      await stack.env.sleep(20 * DAY);
      expect((await handle.query(flow.statusQuery)).phase).toBe('planning');
      expect(await mailOf(p.id)).toEqual([]);
      const actor = { kind: 'person' as const, id: p.members[0]?.person.id as string, name: 'Ana Diaz' };
      const status = await handle.executeUpdate(flow.activateUpdate, { args: [{ actor }] });
      expect(status.lifecycle).toBe('active');
      await waitFor('the invitation', async () => (await mailOf(p.id)).includes('review-invitation'));
      const activated = await stack.database.db.partnershipEvent.findFirstOrThrow({
        where: { partnershipId: p.id, type: 'partnership.activated' },
      });
      expect([activated.actor, activated.actorName]).toEqual(['person', 'Ana Diaz']);
      await handle.executeUpdate(flow.endUpdate, { args: [{ outcome: 'ended_early', reason: 'test over' }] });
      await handle.result();
    });
  });

  it('ends in planning without telling anyone about a partnership they never heard of', async () => {
    await (await stack.newWorker()).runUntil(async () => {
      const { p, handle } = await start({ planning: true });
      await handle.executeUpdate(flow.endUpdate, { args: [{ outcome: 'ended_early', reason: 'the board said no' }] });
      await handle.result();
      const row = await stack.database.db.partnership.findUniqueOrThrow({ where: { id: p.id }, include: { reviews: true } });
      expect([row.status, row.endedReason, row.reviews.map((r) => r.status)]).toEqual(['ended_early', 'the board said no', ['skipped']]);
      expect(await mailOf(p.id)).toEqual([]);
      expect(await stack.database.db.partnershipEvent.count({ where: { partnershipId: p.id, type: 'partnership.activated' } })).toBe(0);
    });
  });

  it('carries out an activation and an end sent one right after the other in planning, both answering', async () => {
    await (await stack.newWorker()).runUntil(async () => {
      const { p, handle } = await start({ planning: true });
      // The activation is accepted first; the end comes while it may still be waiting to be carried out.
      const activation = await handle.startUpdate(flow.activateUpdate, { args: [{}], waitForStage: WorkflowUpdateStage.ACCEPTED });
      const ended = await handle.executeUpdate(flow.endUpdate, { args: [{ outcome: 'ended_early', reason: 'the board said no' }] });
      expect(ended.lifecycle).toBe('ended_early');
      // The activation answers too: it was carried out before the end, or made moot by it.
      expect(['active', 'ended_early']).toContain((await activation.result()).lifecycle);
      await handle.result();
      const row = await stack.database.db.partnership.findUniqueOrThrow({ where: { id: p.id } });
      expect(row.status).toBe('ended_early');
    });
  });

  it('judges an update delivered with its first task by the planning it starts in', async () => {
    // A busy worker may take its first task only after an update has come: the update is then
    // judged while the handlers are being set, before the workflow body has gone further.
    await (await stack.newWorker()).runUntil(async () => {
      const startedWith = async <Ret, Args extends unknown[]>(update: UpdateDefinition<Ret, Args>, args: Args) => {
        const { p } = await record();
        const startWorkflowOperation = new WithStartWorkflowOperation(flow.partnershipWorkflow, {
          workflowId: partnershipWorkflowId(p.id),
          taskQueue: QUEUE,
          args: [{ partnershipId: p.id, plan: { planning: true } }],
          workflowIdConflictPolicy: 'FAIL',
        });
        const answer = stack.env.client.workflow.executeUpdateWithStart(update, { args, startWorkflowOperation });
        return { p, answer, handle: await startWorkflowOperation.workflowHandle() };
      };
      const paused = await startedWith(flow.pauseUpdate, [{}]);
      await expectRejected(paused.answer, /cannot pause a partnership that is planning/);
      expect((await paused.handle.query(flow.statusQuery)).lifecycle).toBe('planning');

      const activated = await startedWith(flow.activateUpdate, [{}]);
      expect((await activated.answer).lifecycle).toBe('active');
      await waitFor('the invitation', async () => (await mailOf(activated.p.id)).includes('review-invitation'));

      for (const { handle } of [paused, activated]) {
        await handle.executeUpdate(flow.endUpdate, { args: [{ outcome: 'ended_early', reason: 'test over' }] });
        await handle.result();
      }
    });
  });

  it('answers an activation and an end sent again under the same update id with their first answers', async () => {
    await (await stack.newWorker()).runUntil(async () => {
      const { p, handle } = await start({ planning: true });
      // A client that retries repeats the update id: the server answers the repeat with the first
      // answer, not as a second activation judged against the state the first one made.
      const first = await handle.executeUpdate(flow.activateUpdate, { args: [{}], updateId: 'activate-1' });
      const again = await handle.executeUpdate(flow.activateUpdate, { args: [{}], updateId: 'activate-1' });
      expect([first.lifecycle, again.lifecycle]).toEqual(['active', 'active']);
      await expectRejected(handle.executeUpdate(flow.activateUpdate, { args: [{}] }), /cannot activate a partnership that is active/);
      const request = { outcome: 'ended_early' as const, reason: 'the board said no' };
      const ended = await Promise.all([1, 2].map(() => handle.executeUpdate(flow.endUpdate, { args: [request], updateId: 'end-1' })));
      expect(ended.map((s) => s.lifecycle)).toEqual(['ended_early', 'ended_early']);
      await handle.result();
      const events = await stack.database.db.partnershipEvent.findMany({ where: { partnershipId: p.id } });
      expect(events.filter((e) => e.type === 'partnership.activated')).toHaveLength(1);
      expect(events.filter((e) => e.type === 'partnership.ended_early')).toHaveLength(1);
    });
  });

  it('completes by itself at its planned end, with a notice to every member', async () => {
    await (await stack.newWorker()).runUntil(async () => {
      const now = await stack.env.currentTimeMs();
      const { t0, p, handle } = await start({ planning: false, plannedEnd: now + 40 * DAY }, 20);
      await stack.sleepUntil(t0 + 39 * DAY);
      expect((await handle.query(flow.statusQuery)).lifecycle).toBe('active');
      await stack.sleepUntil(t0 + 40 * DAY + HOUR);
      await handle.result();
      const row = await stack.database.db.partnership.findUniqueOrThrow({ where: { id: p.id } });
      expect([row.status, row.endedReason]).toEqual(['completed', 'its planned end']);
      expect(row.endedAt?.getTime()).toBeGreaterThanOrEqual(t0 + 40 * DAY - 1000);
      const ended = await stack.database.db.emailOutbox.findMany({ where: { partnershipId: p.id, template: 'partnership-ended' } });
      expect(ended.map((m) => m.recipient).sort()).toEqual(p.emails);
      expect(ended[0]?.text).toMatch(/Reason: its planned end/);
      await recordHistory(handle, 'completed-at-planned-end-local-steps');
    });
  });
});

import { describe, expect, it } from 'vitest';
import { createCycle } from '../../core/inquiry/cycles.js';
import { commitmentStatusQuery } from '../../workflows/deadlines/messages.js';
import { commitmentWorkflowId, inquiryWorkflowId } from '../../workflows/ids.js';
import { inquiryCycleWorkflow } from '../../workflows/inquiry/cycle.js';
import { INQUIRY_PHASES, inquiryStatusQuery, recordPhaseUpdate } from '../../workflows/inquiry/messages.js';
import { endUpdate } from '../../workflows/partnerships/partnership.js';
import {
  createPartnershipRecord,
  DAY,
  expectRejected,
  HOUR,
  outboxMessages,
  recordHistory,
  useTimeSkippingStack,
  waitFor,
} from '../support/kit.js';

const QUEUE = 'tandem-inquiry';

/**
 * Inquiry cycles on the time-skipping server: each phase is its owner's, with the reminders, overdue
 * notice and escalation of a commitment; recording it opens the next; two records of one phase sent
 * at once make one; the reflection closes the cycle and "adapt" starts the next; ending the
 * partnership ends the cycle.
 */
describe('an inquiry cycle (time-skipping)', () => {
  const stack = useTimeSkippingStack(QUEUE);

  async function partnershipWithCycle(t0: number) {
    const db = stack.database.db;
    const p = await createPartnershipRecord(db, {
      firstReviewAt: new Date(t0 + 200 * DAY),
      reminderOffsets: ['P2D'],
      timeZone: 'UTC',
      plannedAt: t0,
      withSponsor: true,
    });
    const sponsor = p.sponsor as { id: string; name: string; email: string };
    const ana = p.districtLead;
    const ben = p.partnerLead;
    // Plan and do are the partner's coach's, study, act and the reflection the district's lead's.
    const owners = { plan: ben.id, do: ben.id, study: ana.id, act: ana.id, reflect: ana.id };
    const cycle = await db.$transaction((tx) =>
      createCycle(tx, {
        partnershipId: p.id,
        question: 'Do weekly data chats raise grade 3 reading fluency?',
        startedAt: new Date(t0),
        phases: INQUIRY_PHASES.map((phase, i) => ({ phase, ownerId: owners[phase], dueAt: new Date(t0 + (i + 1) * 14 * DAY) })),
      }),
    );
    const phaseIds = Object.fromEntries(
      (await db.inquiryPhase.findMany({ where: { cycleId: cycle.id } })).map((ph) => [ph.phase, ph.id]),
    ) as Record<(typeof INQUIRY_PHASES)[number], string>;
    return { p, cycle, ana, ben, sponsor, phaseIds };
  }

  it('runs plan, do, study, act and the reflection, each with a deadline, and "adapt" starts the next cycle', async () => {
    const db = stack.database.db;
    const t0 = await stack.env.currentTimeMs();
    const { p, cycle, ana, ben, sponsor, phaseIds } = await partnershipWithCycle(t0);
    const messages = async () =>
      (await outboxMessages(db, { partnershipId: p.id })).map((m) => [m.template, m.recipients.join(' '), m.dueAt]);

    await (await stack.newWorker()).runUntil(async () => {
      const handle = await stack.env.client.workflow.start(inquiryCycleWorkflow, {
        workflowId: inquiryWorkflowId(cycle.id),
        taskQueue: QUEUE,
        args: [{ cycleId: cycle.id }],
      });
      // The plan phase is Ben's: he is told, and it is a commitment with the phase's id and due date.
      await waitFor('the plan phase to open', async () => (await messages()).some(([t]) => t === 'inquiry-phase'));
      const planCommitment = await db.commitment.findUniqueOrThrow({ where: { id: phaseIds.plan } });
      expect([planCommitment.ownerId, planCommitment.dueAt.getTime(), planCommitment.side, planCommitment.inquiryPhaseId]).toEqual([
        ben.id,
        t0 + 14 * DAY,
        'shared',
        phaseIds.plan,
      ]);
      expect(planCommitment.description).toBe('Inquiry cycle 1, Plan: Do weekly data chats raise grade 3 reading fluency?');
      const plan = stack.env.client.workflow.getHandle(commitmentWorkflowId(phaseIds.plan));

      // Left undone: reminded 7 and 1 days before, overdue at the due date, escalated to the leads
      // after 3 days and to the sponsor after 10, exactly as a commitment.
      await stack.sleepUntil(t0 + 14 * DAY + 10 * DAY + HOUR);
      await waitFor('the escalation to the sponsor', async () =>
        (await messages()).some(([t, to]) => t === 'commitment-escalation' && String(to).includes(sponsor.email)),
      );
      const sent = await messages();
      // Told when the phase opened, as the cycle started.
      expect(Number(sent[0]?.[2]) - t0).toBeLessThan(HOUR);
      expect(sent).toEqual([
        ['inquiry-phase', ben.email, sent[0]?.[2]],
        ['commitment-reminder', ben.email, t0 + 7 * DAY],
        ['commitment-reminder', ben.email, t0 + 13 * DAY],
        ['commitment-overdue', ben.email, t0 + 14 * DAY],
        ['commitment-escalation', [ana.email, ben.email].sort().join(' '), t0 + 17 * DAY],
        ['commitment-escalation', [ben.email, sponsor.email].sort().join(' '), t0 + 24 * DAY],
      ]);
      expect((await db.commitment.findUniqueOrThrow({ where: { id: phaseIds.plan } })).status).toBe('overdue');

      // Out of order: refused, nothing changes.
      await expectRejected(
        handle.executeUpdate(recordPhaseUpdate, { args: [{ phase: 'study', findings: 'none yet' }] }),
        /in its plan phase/,
      );

      // Recorded: the plan's commitment is done and its workflow finishes; the do phase opens.
      await handle.executeUpdate(recordPhaseUpdate, {
        args: [
          {
            phase: 'plan',
            changeIdea: 'Ten-minute data chats every Monday',
            prediction: 'Fluency rises by 10 words a minute by spring',
            measures: ['ORF benchmark', 'chat attendance'],
          },
        ],
      });
      await plan.result();
      expect(await plan.query(commitmentStatusQuery).catch(() => null)).toMatchObject({ status: 'done' });
      const planRow = await db.inquiryPhase.findUniqueOrThrow({ where: { id: phaseIds.plan } });
      expect(planRow.record).toEqual({
        changeIdea: 'Ten-minute data chats every Monday',
        prediction: 'Fluency rises by 10 words a minute by spring',
        measures: ['ORF benchmark', 'chat attendance'],
      });
      expect((await handle.query(inquiryStatusQuery)).phase).toBe('do');
      await waitFor('the do phase to open', async () => db.commitment.findUnique({ where: { id: phaseIds.do } }));

      // The do phase recorded twice at once (a double click, two tabs): one record, one refusal.
      const both = await Promise.allSettled([
        handle.executeUpdate(recordPhaseUpdate, { args: [{ phase: 'do', notes: 'Held 8 of 9 chats' }] }),
        handle.executeUpdate(recordPhaseUpdate, { args: [{ phase: 'do', notes: 'Held 8 of 9 chats' }] }),
      ]);
      expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect(String((both.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason.cause?.message)).toMatch(
        /in its study phase/,
      );
      expect(await db.partnershipEvent.count({ where: { partnershipId: p.id, type: 'inquiry.phase_recorded' } })).toBe(2);

      await handle.executeUpdate(recordPhaseUpdate, { args: [{ phase: 'study', findings: 'Fluency rose 6 words a minute' }] });
      await expectRejected(
        handle.executeUpdate(recordPhaseUpdate, { args: [{ phase: 'act', decision: 'maybe' as 'adopt' }] }),
        /adopt, adapt or abandon/,
      );
      await handle.executeUpdate(recordPhaseUpdate, { args: [{ phase: 'act', decision: 'adapt', notes: 'Twice a week' }] });
      const closedAt = await stack.env.currentTimeMs();
      const closed = await handle.executeUpdate(recordPhaseUpdate, {
        args: [{ phase: 'reflect', worked: 'The routine', didNot: 'Attendance on Mondays', improve: 'Move to Tuesdays' }],
      });
      expect(closed.status).toBe('closed');
      expect(closed.nextCycleId).toBeTruthy();
      await handle.result();

      // The next cycle: number 2, the same question and owners, due dates spaced as before from the close.
      const next = await db.inquiryCycle.findUniqueOrThrow({ where: { id: closed.nextCycleId as string }, include: { phases: true } });
      expect([next.number, next.question, next.previousId, next.status, next.currentPhase]).toEqual([
        2,
        cycle.question,
        cycle.id,
        'open',
        'plan',
      ]);
      const started = next.startedAt.getTime();
      expect(Math.abs(started - closedAt)).toBeLessThan(HOUR);
      expect(
        INQUIRY_PHASES.map((ph) => {
          const row = next.phases.find((x) => x.phase === ph);
          return [ph, row?.ownerId, (row?.dueAt.getTime() ?? 0) - started];
        }),
      ).toEqual(INQUIRY_PHASES.map((ph, i) => [ph, ph === 'plan' || ph === 'do' ? ben.id : ana.id, (i + 1) * 14 * DAY]));
      const nextHandle = stack.env.client.workflow.getHandle(inquiryWorkflowId(next.id));
      await waitFor('the next cycle to open its plan phase', async () =>
        db.commitment.findUnique({ where: { id: next.phases.find((x) => x.phase === 'plan')?.id as string } }),
      );
      expect((await nextHandle.query(inquiryStatusQuery)).phase).toBe('plan');
      // Its commitment's workflow has planned the deadline of the next plan phase.
      const nextPlan = stack.env.client.workflow.getHandle(commitmentWorkflowId(next.phases.find((x) => x.phase === 'plan')?.id as string));
      await waitFor(
        'the next plan phase to be planned',
        async () => (await nextPlan.query(commitmentStatusQuery).catch(() => null))?.nextStage,
      );
      // Everyone hears the decision once.
      const closing = (await outboxMessages(db, { partnershipId: p.id, template: 'inquiry-closed' }))[0];
      expect(closing?.recipients).toEqual([ana.email, ben.email, sponsor.email].sort());
      expect(closing?.subject).toMatch(/Inquiry cycle 1 of .+ is closed: adapt/);
      await nextHandle.terminate('test over');
      await recordHistory(handle, 'overdue-escalated-adapted-local-steps');
    });
  });

  it('ends with its partnership: the phase under way is dropped with the reason and the workflow finishes', async () => {
    const db = stack.database.db;
    const t0 = await stack.env.currentTimeMs();
    const { p, cycle, phaseIds } = await partnershipWithCycle(t0);
    await (await stack.newWorker()).runUntil(async () => {
      const partnership = await stack.startPartnership(p.id);
      const handle = await stack.env.client.workflow.start(inquiryCycleWorkflow, {
        workflowId: inquiryWorkflowId(cycle.id),
        taskQueue: QUEUE,
        args: [{ cycleId: cycle.id }],
      });
      await waitFor('the plan phase to open', async () => db.commitment.findUnique({ where: { id: phaseIds.plan } }));
      await partnership.executeUpdate(endUpdate, { args: [{ outcome: 'ended_early', reason: 'funding ended' }] });
      await handle.result();
      await stack.env.client.workflow.getHandle(commitmentWorkflowId(phaseIds.plan)).result();
      await partnership.result();
      await recordHistory(handle, 'ended-with-partnership-local-steps');
    });
    const ended = await db.inquiryCycle.findUniqueOrThrow({ where: { id: cycle.id } });
    expect([ended.status, ended.currentPhase]).toEqual(['ended', null]);
    const plan = await db.commitment.findUniqueOrThrow({ where: { id: phaseIds.plan } });
    expect([plan.status, plan.closeNote]).toEqual(['dropped', 'The partnership ended: funding ended']);
    expect(await db.partnershipEvent.count({ where: { partnershipId: p.id, type: 'inquiry.ended' } })).toBe(1);
  });
});

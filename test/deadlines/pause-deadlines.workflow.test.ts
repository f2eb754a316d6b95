import { describe, expect, it } from 'vitest';
import { commitmentWorkflow } from '../../workflows/deadlines/commitment.js';
import { evidenceRequestWorkflow } from '../../workflows/deadlines/evidence.js';
import { commitmentStatusQuery } from '../../workflows/deadlines/messages.js';
import { commitmentWorkflowId, evidenceWorkflowId } from '../../workflows/ids.js';
import { endUpdate, pauseUpdate, resumeUpdate, statusQuery } from '../../workflows/partnerships/partnership.js';
import { createPartnershipRecord, DAY, HOUR, outboxMessages, recordHistory, useTimeSkippingStack, waitFor } from '../support/kit.js';

const QUEUE = 'tandem-pause-deadlines';

/**
 * Pause and end mean it for commitments and evidence requests: nothing is sent while the partnership
 * is paused, resuming moves every open deadline by the pause's length (recorded with that reason) and
 * sends what fell in the pause after it, ending closes them all with the end's reason and one notice.
 */
describe('a partnership paused, resumed and ended with open deadlines (time-skipping)', () => {
  const stack = useTimeSkippingStack(QUEUE);

  it('holds every deadline notice through a pause, moves the deadlines by its length, and closes them at the end', async () => {
    const db = stack.database.db;
    const t0 = await stack.env.currentTimeMs();
    const p = await createPartnershipRecord(db, {
      firstReviewAt: new Date(t0 + 90 * DAY),
      reminderOffsets: ['P2D'],
      timeZone: 'UTC',
      plannedAt: t0,
      withSponsor: true,
    });
    const owner = p.partnerLead.id;
    const base = { partnershipId: p.id, ownerId: owner };
    // Due in 20 days (every stage would fall in the pause), and in 3 days (overdue before the pause).
    const later = await db.commitment.create({
      data: { ...base, side: 'partner', description: 'Share coaching logs', dueAt: new Date(t0 + 20 * DAY) },
    });
    const soon = await db.commitment.create({
      data: { ...base, side: 'partner', description: 'Send the walkthrough tool', dueAt: new Date(t0 + 3 * DAY) },
    });
    const evidence = await db.evidenceRequest.create({
      data: { ...base, description: 'Observation notes', kinds: ['observation'], dueAt: new Date(t0 + 20 * DAY) },
    });

    await (await stack.newWorker()).runUntil(async () => {
      const partnership = await stack.startPartnership(p.id);
      const deadlines = await Promise.all([
        stack.env.client.workflow.start(commitmentWorkflow, {
          workflowId: commitmentWorkflowId(later.id),
          taskQueue: QUEUE,
          args: [{ commitmentId: later.id }],
        }),
        stack.env.client.workflow.start(commitmentWorkflow, {
          workflowId: commitmentWorkflowId(soon.id),
          taskQueue: QUEUE,
          args: [{ commitmentId: soon.id }],
        }),
        stack.env.client.workflow.start(evidenceRequestWorkflow, {
          workflowId: evidenceWorkflowId(evidence.id),
          taskQueue: QUEUE,
          args: [{ requestId: evidence.id }],
        }),
      ]);
      const byTime = (a: (string | number | undefined)[], b: (string | number | undefined)[]) =>
        Number(a[2]) - Number(b[2]) || String(a[0]).localeCompare(String(b[0]));
      const notices = async () =>
        (await outboxMessages(db, { partnershipId: p.id, template: { startsWith: 'commitment-' } }))
          .concat(await outboxMessages(db, { partnershipId: p.id, template: { startsWith: 'evidence-' } }))
          .map((m) => [
            m.messageKey.split(':')[1] === soon.id ? 'soon' : m.messageKey.split(':')[1] === later.id ? 'later' : 'evidence',
            m.template,
            m.dueAt,
          ])
          .sort(byTime);

      // Day 5: the soon one was reminded and turned overdue; the pause comes before its escalation.
      await stack.sleepUntil(t0 + 5 * DAY);
      await waitFor(
        'the soon commitment to be overdue',
        async () => (await db.commitment.findUniqueOrThrow({ where: { id: soon.id } })).status === 'overdue',
      );
      await partnership.executeUpdate(pauseUpdate, { args: [{ reason: 'superintendent transition' }] });
      const pausedAt = (await db.partnership.findUniqueOrThrow({ where: { id: p.id } })).pausedAt?.getTime() as number;
      expect(pausedAt - (t0 + 5 * DAY)).toBeGreaterThanOrEqual(0);
      expect(pausedAt - (t0 + 5 * DAY)).toBeLessThan(HOUR);
      const beforePause = await notices();
      // Each owner was told at once that the work is theirs (when the row was made).
      expect(beforePause).toEqual([
        ...[
          ['later', 'commitment-assigned', later.createdAt.getTime()],
          ['soon', 'commitment-assigned', soon.createdAt.getTime()],
          ['evidence', 'evidence-assigned', evidence.createdAt.getTime()],
        ].sort(byTime),
        ['soon', 'commitment-reminder', t0 + 2 * DAY],
        ['soon', 'commitment-overdue', t0 + 3 * DAY],
      ]);

      // Thirty-five days of pause, across every stage of the other two: nothing is sent.
      await stack.sleepUntil(t0 + 40 * DAY);
      expect((await partnership.query(statusQuery)).phase).toBe('paused');
      expect(await notices()).toEqual(beforePause);

      // Resumed: each open deadline is due 35 days later, recorded as an extension with the reason.
      await partnership.executeUpdate(resumeUpdate, { args: [{}] });
      const resumed = await db.partnership.findUniqueOrThrow({ where: { id: p.id } });
      expect([resumed.status, resumed.pausedAt]).toEqual(['active', null]);
      const extended = await db.partnershipEvent.findMany({ where: { partnershipId: p.id, type: { endsWith: '.extended' } } });
      expect(extended).toHaveLength(3);
      const { pausedFrom, pausedUntil } = (extended[0]?.data ?? {}) as { pausedFrom: string; pausedUntil: string };
      expect(Date.parse(pausedFrom)).toBe(pausedAt);
      const pause = Date.parse(pausedUntil) - pausedAt;
      expect(Math.abs(pause - 35 * DAY)).toBeLessThan(HOUR);
      const moved = (id: string) => db.commitment.findUniqueOrThrow({ where: { id }, include: { extensions: true } });
      const [laterNow, soonNow, evidenceNow] = [
        await moved(later.id),
        await moved(soon.id),
        await db.evidenceRequest.findUniqueOrThrow({ where: { id: evidence.id }, include: { extensions: true } }),
      ];
      expect([laterNow.dueAt.getTime(), laterNow.status]).toEqual([t0 + 20 * DAY + pause, 'open']);
      expect([evidenceNow.dueAt.getTime(), evidenceNow.status]).toEqual([t0 + 20 * DAY + pause, 'open']);
      // Overdue before the pause, and still past after the move: it stays overdue.
      expect([soonNow.dueAt.getTime(), soonNow.status]).toEqual([t0 + 3 * DAY + pause, 'overdue']);
      for (const row of [laterNow, soonNow, evidenceNow])
        expect(row.extensions.map((e) => e.reason)).toEqual([expect.stringMatching(/^The partnership was paused from .+ to .+/)]);
      await waitFor(
        'the later commitment workflow to plan its new due time',
        async () => (await deadlines[0].query(commitmentStatusQuery)).dueAt === t0 + 20 * DAY + pause,
      );

      // What fell in the pause comes after it: the soon one's escalation to the leads (3 days after its
      // moved due time), not its overdue notice again; the later one's first reminder 7 days before.
      await stack.sleepUntil(t0 + 3 * DAY + pause + 3 * DAY + HOUR);
      await waitFor('the escalation to the leads', async () =>
        (await notices()).some(([w, t]) => w === 'soon' && t === 'commitment-escalation'),
      );
      expect(await notices()).toEqual([...beforePause, ['soon', 'commitment-escalation', t0 + 6 * DAY + pause]]);

      // Ended early: every open deadline closes with the reason, and the workflows finish.
      await partnership.executeUpdate(endUpdate, { args: [{ outcome: 'ended_early', reason: 'funding ended' }] });
      await Promise.all(deadlines.map((d) => d.result()));
      await partnership.result();
      await recordHistory(deadlines[1], 'overdue-paused-resumed-ended-local-steps');
      await recordHistory(deadlines[2], 'paused-resumed-ended-local-steps');
      await recordHistory(partnership, 'paused-resumed-ended-with-deadlines-local-steps');
    });

    const closed = [
      await db.commitment.findUniqueOrThrow({ where: { id: later.id } }),
      await db.commitment.findUniqueOrThrow({ where: { id: soon.id } }),
      await db.evidenceRequest.findUniqueOrThrow({ where: { id: evidence.id } }),
    ];
    expect(closed.map((c) => [c.status, c.closeNote])).toEqual([
      ['dropped', 'The partnership ended: funding ended'],
      ['dropped', 'The partnership ended: funding ended'],
      ['waived', 'The partnership ended: funding ended'],
    ]);
    // One notice of each change to every member, saying what happened to the deadlines.
    const lifecycle = await db.emailOutbox.findMany({
      where: { partnershipId: p.id, template: { startsWith: 'partnership-' } },
      orderBy: { createdAt: 'asc' },
    });
    const byTemplate = (t: string) => lifecycle.filter((m) => m.template === t);
    expect(lifecycle.map((m) => m.template).filter((t, i, all) => all.indexOf(t) === i)).toEqual([
      'partnership-paused',
      'partnership-resumed',
      'partnership-ended',
    ]);
    for (const t of ['partnership-paused', 'partnership-resumed', 'partnership-ended']) expect(byTemplate(t)).toHaveLength(3);
    expect(byTemplate('partnership-paused')[0]?.text).toMatch(/Tandem sends nothing about it: no reviews, reminders or deadline notices/);
    expect(byTemplate('partnership-resumed')[0]?.text).toMatch(
      /3 open commitments and evidence requests are now due later by the length of the pause/,
    );
    expect(byTemplate('partnership-ended')[0]?.text).toMatch(/3 open commitments and evidence requests were closed with it/);
    const events = await db.partnershipEvent.findMany({
      where: { partnershipId: p.id, type: { in: ['commitment.dropped', 'evidence.waived'] } },
    });
    expect(events.map((e) => e.type).sort()).toEqual(['commitment.dropped', 'commitment.dropped', 'evidence.waived']);
  });
});

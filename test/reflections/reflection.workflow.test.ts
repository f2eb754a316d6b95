import { describe, expect, it } from 'vitest';
import { personPrincipal } from '../../core/people/principal.js';
import { saveReflection } from '../../core/reflections/commands.js';
import { createLogger } from '../../lib/logger.js';
import { reflectionWorkflowId } from '../../workflows/ids.js';
import * as flow from '../../workflows/partnerships/partnership.js';
import { reflectionStatusQuery } from '../../workflows/reflections/messages.js';
import { createPartnershipRecord, DAY, HOUR, outboxMessages, recordHistory, useTimeSkippingStack, waitFor } from '../support/kit.js';

describe('reflection after a held review (time-skipping)', () => {
  const stack = useTimeSkippingStack('tandem-reflection');

  /** A partnership in UTC whose first review is two days from the test's now, reminded a day before. */
  async function reviewInTwoDays() {
    const t0 = await stack.env.currentTimeMs();
    const reviewAt = t0 + 2 * DAY;
    const p = await createPartnershipRecord(stack.database.db, {
      firstReviewAt: new Date(reviewAt),
      reminderOffsets: ['P1D'],
      timeZone: 'UTC',
      plannedAt: t0,
    });
    return { reviewAt, p };
  }

  it('prompts every member, reminds only those who have not answered, then sends the leads a summary', async () => {
    const { reviewAt, p } = await reviewInTwoDays();
    const coach = await stack.database.db.person.create({ data: { name: 'Zoe Coach', email: `zoe.${p.id.slice(0, 6)}@center.example` } });
    await stack.database.db.partnershipMember.create({ data: { partnershipId: p.id, personId: coach.id, role: 'participant' } });
    const { districtLead: ana, partnerLead: ben } = p;
    const deps = { db: stack.database.db, temporal: stack.env.client, logger: createLogger('silent') };
    const answers = { whatWorked: 'Shared data protocol', whatDidnt: 'Too little time', howToImprove: 'Send the data earlier' };
    // As the person signed in would, from the reflection page.
    const reflect = async (email: string, a = answers) => {
      const person = await stack.database.db.person.findUniqueOrThrow({ where: { email } });
      return saveReflection(
        deps,
        (await personPrincipal(stack.database.db, person.id)) as NonNullable<Awaited<ReturnType<typeof personPrincipal>>>,
        p.review.id,
        a,
      );
    };
    const notices = async (template: string) =>
      (await stack.database.db.emailOutbox.findMany({ where: { partnershipId: p.id, template }, orderBy: { idempotencyKey: 'asc' } }))
        .map((o) => o.recipient)
        .sort();

    const worker = await stack.newWorker();
    await worker.runUntil(async () => {
      const partnership = await stack.startPartnership(p.id);
      await stack.env.sleep(reviewAt + HOUR - (await stack.env.currentTimeMs()));
      await waitFor('the review to take place', async () => (await partnership.query(flow.statusQuery)).phase === 'waiting-for-outcome');
      await partnership.executeUpdate(flow.recordOutcomeUpdate, {
        args: [{ reviewId: p.review.id, outcome: 'held', notes: 'Good session' }],
      });

      const reflection = stack.env.client.workflow.getHandle(reflectionWorkflowId(p.review.id));
      await waitFor('the prompts', async () => (await notices('reflection-prompt')).length === 3);
      expect(await notices('reflection-prompt')).toEqual([ana.email, ben.email, coach.email].sort());
      const opened = await stack.env.currentTimeMs();

      await stack.env.sleep(DAY);
      const first = await reflect(ana.email);
      // Answering again while the window is open edits the answer: still one answer, no second signal.
      const edited = await reflect(ana.email, { ...answers, howToImprove: 'Send the data a week earlier' });
      expect([edited.submittedAt, edited.howToImprove, edited.updatedAt !== null]).toEqual([
        first.submittedAt,
        'Send the data a week earlier',
        true,
      ]);
      await waitFor('the signal', async () => (await reflection.query(reflectionStatusQuery)).answered === 1);

      await stack.env.sleep(opened + 3 * DAY + HOUR - (await stack.env.currentTimeMs()));
      await waitFor('the first reminders', async () => (await notices('reflection-reminder')).length === 2);
      expect(await notices('reflection-reminder')).toEqual([ben.email, coach.email].sort());

      await stack.env.sleep(2 * DAY);
      await reflect(ben.email);
      await stack.env.sleep(opened + 7 * DAY + HOUR - (await stack.env.currentTimeMs()));
      await waitFor('the second reminder', async () => (await notices('reflection-reminder')).length === 3);
      expect(await notices('reflection-reminder')).toEqual([ben.email, coach.email, coach.email].sort());

      await stack.env.sleep(opened + 14 * DAY + HOUR - (await stack.env.currentTimeMs()));
      // Not reflection.result(): awaiting a result lets the test server skip time freely, and with no
      // timer left it would run the partnership into its default execution timeout.
      await waitFor('the window to close', async () => (await reflection.query(reflectionStatusQuery)).closed);
      await waitFor('the reflection workflow to complete', async () => (await reflection.describe()).status.name === 'COMPLETED');
      await recordHistory(reflection, 'two-of-three-answered');
      await expect(reflect(coach.email)).rejects.toThrow('The reflection window for this review has closed');
      await partnership.executeUpdate(flow.endUpdate, { args: [{ outcome: 'completed' }] });
      await partnership.result();
    });

    const [summary, ...more] = await outboxMessages(stack.database.db, { partnershipId: p.id, template: 'reflection-summary' });
    expect(more).toEqual([]);
    expect(summary?.recipients).toEqual([ana.email, ben.email].sort());
    expect(summary?.subject).toBe(`Reflections on review #1 of ${p.name}: 2 of 3 answered`);
    const mail = (await stack.mailbox.messages()).find((m) => m.subject === summary?.subject);
    expect(mail?.text).toContain('Did not answer (1): Zoe Coach');
    // The answers, question by question, and what recurs in them.
    expect(mail?.text).toMatch(
      /What worked\?\r?\n-+\r?\n\r?\n> Shared data protocol \(Ana Diaz\)\r?\n\r?\n> Shared data protocol \(Ben Ode\)/,
    );
    expect(mail?.text).toMatch(/Themes across the answers: .*data protocol \(2 people\)/);
    const rows = await stack.database.db.reflection.findMany({ where: { reviewId: p.review.id }, include: { person: true } });
    expect(
      rows
        .filter((r) => r.submittedAt)
        .map((r) => r.person.name)
        .sort(),
    ).toEqual(['Ana Diaz', 'Ben Ode']);
  });

  it('asks for reflections on a review held while the partnership is paused, and keeps the window open through the pause', async () => {
    const { reviewAt, p } = await reviewInTwoDays();
    const db = stack.database.db;
    const notices = async (template: string) => db.emailOutbox.count({ where: { partnershipId: p.id, template } });
    const worker = await stack.newWorker();
    await worker.runUntil(async () => {
      const partnership = await stack.startPartnership(p.id);
      await stack.env.sleep(reviewAt + HOUR - (await stack.env.currentTimeMs()));
      await waitFor('the review to take place', async () => (await partnership.query(flow.statusQuery)).phase === 'waiting-for-outcome');
      // Paused right after the meeting; the lead records it as held during the pause.
      await partnership.executeUpdate(flow.pauseUpdate, { args: [{ reason: 'superintendent transition' }] });
      await partnership.executeUpdate(flow.recordOutcomeUpdate, {
        args: [{ reviewId: p.review.id, outcome: 'held', notes: 'Held anyway' }],
      });
      const reflection = stack.env.client.workflow.getHandle(reflectionWorkflowId(p.review.id));
      await waitFor('the prompts', async () => (await notices('reflection-prompt')) === 2);
      const opened = await stack.env.currentTimeMs();
      // The window (14 days) runs out during the pause: it stays open, no summary goes out.
      await stack.env.sleep(opened + 20 * DAY - (await stack.env.currentTimeMs()));
      await waitFor('the workflow to wait out the pause', async () => (await reflection.query(reflectionStatusQuery)).closesAt !== null);
      expect((await reflection.query(reflectionStatusQuery)).closed).toBe(false);
      expect(await db.review.findUniqueOrThrow({ where: { id: p.review.id } })).toMatchObject({ reflectionsClosedAt: null });
      expect(await notices('reflection-summary')).toBe(0);
      // Resumed on day 22 of the pause: the close moves by the pause's length.
      await partnership.executeUpdate(flow.resumeUpdate, { args: [{}] });
      const pausedAt = (await db.partnershipEvent.findFirstOrThrow({ where: { partnershipId: p.id, type: 'partnership.paused' } }))
        .idempotencyKey;
      const pausedMs = (await stack.env.currentTimeMs()) - Number(pausedAt.split(':').at(-1));
      const moved = await waitFor('the close to move', async () => {
        const s = await reflection.query(reflectionStatusQuery);
        return s.closesAt !== null && s.closesAt > opened + 14 * DAY ? s.closesAt : undefined;
      });
      expect(moved - (opened + 14 * DAY - HOUR)).toBeGreaterThan(pausedMs - 2 * HOUR);
      await stack.env.sleep(moved + HOUR - (await stack.env.currentTimeMs()));
      await waitFor('the window to close', async () => (await reflection.query(reflectionStatusQuery)).closed);
      await waitFor('the reflection workflow to complete', async () => (await reflection.describe()).status.name === 'COMPLETED');
      // One summary, a copy to each lead.
      expect(await notices('reflection-summary')).toBe(2);
      await recordHistory(reflection, 'window-waits-out-a-pause');
      await partnership.executeUpdate(flow.endUpdate, { args: [{ outcome: 'completed' }] });
      await partnership.result();
      await recordHistory(partnership, 'held-while-paused-reflects');
    });
  });
});

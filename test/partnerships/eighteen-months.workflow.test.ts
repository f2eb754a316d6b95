import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { partnershipsProgress } from '../../api/partnerships/next-steps.js';
import { personPrincipal } from '../../core/people/principal.js';
import { saveReflection } from '../../core/reflections/commands.js';
import { createLogger } from '../../lib/logger.js';
import {
  completeCommitmentUpdate,
  evidenceStatusQuery,
  extendCommitmentUpdate,
  submitEvidenceUpdate,
} from '../../workflows/deadlines/messages.js';
import { commitmentWorkflowId, evidenceWorkflowId, partnershipWorkflowId, reflectionWorkflowId } from '../../workflows/ids.js';
import * as flow from '../../workflows/partnerships/partnership.js';
import { reflectionStatusQuery } from '../../workflows/reflections/messages.js';
import { DAY, HOUR, MINUTE, recordHistory, useTimeSkippingStack, waitFor } from '../support/kit.js';
import { CALENDAR_AND_LIFECYCLE, outboxMessages } from '../support/outbox.js';

const ZONE = 'America/Chicago';

/**
 * The acceptance scenario: one partnership through six quarterly reviews (about 18 months)
 * with a blackout shift, a pause and resume, commitments done / extended / overdue and escalated,
 * evidence submitted, reflections partly answered. Every message is asserted with its recipients
 * and virtual due time, every state change with its virtual time, and the event log in order.
 */
describe('one partnership through eighteen months (time-skipping)', () => {
  const stack = useTimeSkippingStack('tandem-eighteen-months');

  it('runs six quarterly reviews with everything that happens around them', async () => {
    const { db } = stack.database;
    const t0 = await stack.env.currentTimeMs();
    // Quarterly on the second Tuesday at 15:30 in Chicago, from two months after today.
    const start = DateTime.fromMillis(t0, { zone: ZONE }).plus({ months: 2 }).startOf('month');
    const secondTuesday = (month: DateTime) => {
      const firstTuesday = month.plus({ days: (2 - month.weekday + 7) % 7 });
      return firstTuesday.plus({ weeks: 1 }).set({ hour: 15, minute: 30 });
    };
    const regular = [0, 3, 6, 9, 12, 15, 18].map((m) => secondTuesday(start.plus({ months: m })));
    const local = (i: number) => regular[i] as DateTime;
    const R = regular.map((d) => d.toMillis());
    const r2 = local(1);
    const R2 = r2.plus({ weeks: 1 }).toMillis();

    const suffix = randomUUID().slice(0, 6);
    const district = await db.organization.create({ data: { kind: 'district', name: `Lakeview SD ${suffix}`, timeZone: ZONE } });
    const partner = await db.organization.create({ data: { kind: 'partner', name: `Equity Partners ${suffix}`, timeZone: ZONE } });
    const person = (name: string) => db.person.create({ data: { name, email: `${name.toLowerCase()}.${suffix}@example.org` } });
    const [sam, ana, ben, pat] = await Promise.all(['Sam', 'Ana', 'Ben', 'Pat'].map(person));
    if (!sam || !ana || !ben || !pat) throw new Error('people were not created');
    const nameOf = new Map([sam, ana, ben, pat].map((x) => [x.email, x.name]));
    const p = await db.partnership.create({
      data: {
        name: 'Lakeview literacy',
        districtId: district.id,
        partnerId: partner.id,
        timeZone: ZONE,
        reminderOffsets: ['P14D', 'P2D'],
        recurrenceRule: 'FREQ=MONTHLY;INTERVAL=3;BYDAY=2TU',
        recurrenceStart: local(0).toFormat("yyyy-MM-dd'T'HH:mm"),
        blackouts: [{ start: r2.toISODate() as string, end: r2.toISODate() as string, label: 'state testing' }],
        members: {
          create: [
            // The sponsor takes only what is essential: no reminders.
            { personId: sam.id, role: 'executive_sponsor', notifications: 'essential' },
            { personId: ana.id, role: 'district_lead' },
            { personId: ben.id, role: 'partner_lead' },
            { personId: pat.id, role: 'participant' },
          ],
        },
      },
    });

    const client = stack.env.client;
    const deps = { db, temporal: client, logger: createLogger('silent') };
    const now = () => stack.env.currentTimeMs();
    const answers = { whatWorked: 'Walkthroughs', whatDidnt: 'Timing', howToImprove: 'Plan earlier' };
    // As each person signed in would, from the reflection page.
    const reflect = async (reviewId: string, email: string) => {
      const person = await db.person.findUniqueOrThrow({ where: { email } });
      const principal = await personPrincipal(db, person.id);
      if (!principal) throw new Error(`no person ${email}`);
      return saveReflection(deps, principal, reviewId, answers);
    };
    const handle = client.workflow.getHandle(partnershipWorkflowId(p.id));
    const until = (what: string, ok: (s: flow.PartnershipStatus) => boolean) =>
      waitFor(what, async () => {
        const s = await handle.query(flow.statusQuery);
        return ok(s) && s;
      });
    const held = (i: number) => R[i] as number;
    const reviewIds: string[] = [];
    const acted: Record<string, number> = {};

    // What review 1 pledges, due at local times counted from the meeting.
    const after1 = (days: number, hours = 0) => local(0).plus({ days, hours }).toMillis();
    const c1 = { id: randomUUID(), ownerId: ana.id, side: 'district' as const, description: 'Share walkthrough data', dueAt: after1(30) };
    const c2 = { id: randomUUID(), ownerId: ben.id, side: 'partner' as const, description: 'Draft the coaching plan', dueAt: after1(45) };
    const c3 = {
      id: randomUUID(),
      ownerId: pat.id,
      side: 'shared' as const,
      description: 'Schedule <b>peer</b> visits',
      dueAt: after1(35, 2),
    };
    const c2extended = after1(60);
    const e1 = {
      id: randomUUID(),
      ownerId: ana.id,
      description: 'Classroom observation notes',
      kinds: ['observation' as const],
      dueAt: after1(50, 4),
    };

    const worker = await stack.newWorker();
    await worker.runUntil(async () => {
      await client.workflow.start(flow.partnershipWorkflow, {
        workflowId: partnershipWorkflowId(p.id),
        taskQueue: 'tandem-eighteen-months',
        args: [{ partnershipId: p.id }],
      });

      // Review 1: held an hour in, pledging three commitments and an evidence request.
      const s1 = await until('review 1 to be planned', (s) => s.currentReview?.sequence === 1);
      expect(s1.currentReview?.scheduledAt).toBe(R[0]);
      reviewIds.push(s1.currentReview?.id as string);
      await stack.sleepUntil(held(0) + HOUR);
      await handle.executeUpdate(flow.recordOutcomeUpdate, {
        args: [
          {
            reviewId: reviewIds[0] as string,
            outcome: 'held',
            notes: 'Walkthrough data reviewed',
            decisions: ['Add a coach'],
            commitments: [c1, c2, c3],
            evidenceRequests: [e1],
          },
        ],
      });
      acted.held1 = await now();
      const counted = await waitFor('the open counts after review 1', async () => {
        const [progress] = await partnershipsProgress(db, [p.id]);
        return progress?.open.commitments.open === 3 && progress.open.reflectionsAwaited === 4 && progress.open;
      });
      expect(counted).toMatchObject({ commitments: { open: 3, overdue: 0 }, evidenceRequests: { open: 1, overdue: 0 } });
      // Ana and Ben reflect the next day; Pat never does; Sam is prompted but not reminded.
      await stack.sleepUntil(held(0) + HOUR + DAY);
      await waitFor('the reflection prompts', async () => (await db.reflection.count({ where: { reviewId: reviewIds[0] } })) === 4);
      await reflect(reviewIds[0] as string, ana.email);
      await reflect(reviewIds[0] as string, ben.email);

      const commitment = (id: string) => client.workflow.getHandle(commitmentWorkflowId(id));
      await stack.sleepUntil(after1(25));
      await commitment(c1.id).executeUpdate(completeCommitmentUpdate, { args: [{ note: 'Shared at the data team' }] });
      acted.c1done = await now();
      await stack.sleepUntil(after1(40));
      await commitment(c2.id).executeUpdate(extendCommitmentUpdate, { args: [{ dueAt: c2extended, reason: 'Coach hired late' }] });
      acted.c2extended = await now();
      await stack.sleepUntil(after1(44));
      const item = { itemId: randomUUID(), personId: ana.id, kind: 'observation' as const, link: 'https://drive.example/obs-1' };
      await client.workflow.getHandle(evidenceWorkflowId(e1.id)).executeUpdate(submitEvidenceUpdate, { args: [item] });
      acted.e1submitted = await now();
      expect((await client.workflow.getHandle(evidenceWorkflowId(e1.id)).query(evidenceStatusQuery)).status).toBe('submitted');
      await stack.sleepUntil(after1(47));
      await commitment(c3.id).executeUpdate(completeCommitmentUpdate, { args: [{}] });
      acted.c3done = await now();
      await stack.sleepUntil(after1(59, 12));
      await commitment(c2.id).executeUpdate(completeCommitmentUpdate, { args: [{}] });
      acted.c2done = await now();

      // Review 2: the blackout moves it a week; held; everyone reflects, so the window closes early.
      const s2 = await until('review 2 to be planned', (s) => s.currentReview?.sequence === 2);
      expect(s2.currentReview?.scheduledAt).toBe(R2);
      reviewIds.push(s2.currentReview?.id as string);
      await stack.sleepUntil(R2 + HOUR);
      await handle.executeUpdate(flow.recordOutcomeUpdate, { args: [{ reviewId: reviewIds[1] as string, outcome: 'held' }] });
      acted.held2 = await now();
      await stack.sleepUntil(R2 + HOUR + DAY);
      await waitFor('the reflection prompts', async () => (await db.reflection.count({ where: { reviewId: reviewIds[1] } })) === 4);
      for (const x of [sam, ana, ben, pat]) await reflect(reviewIds[1] as string, x.email);
      acted.allReflected2 = await now();
      await waitFor('the early close', async () =>
        (await client.workflow.getHandle(reflectionWorkflowId(reviewIds[1] as string)).query(reflectionStatusQuery)).closed
          ? true
          : undefined,
      );

      // Review 3: paused a month after review 2, resumed three days after review 3's date.
      const s3 = await until('review 3 to be planned', (s) => s.currentReview?.sequence === 3);
      expect(s3.currentReview?.scheduledAt).toBe(R[2]);
      reviewIds.push(s3.currentReview?.id as string);
      await stack.sleepUntil(R2 + 30 * DAY);
      await handle.executeUpdate(flow.pauseUpdate, { args: [{ reason: 'superintendent transition' }] });
      acted.paused = await now();
      await stack.sleepUntil(held(2) + 3 * DAY);
      await handle.executeUpdate(flow.resumeUpdate, { args: [{}] });
      acted.resumed = await now();

      // Review 4: nothing is recorded; missed after the grace period.
      const s4 = await until('review 4 to be planned', (s) => s.currentReview?.sequence === 4);
      expect(s4.currentReview?.scheduledAt).toBe(R[3]);
      reviewIds.push(s4.currentReview?.id as string);
      await stack.sleepUntil(held(3) + 2 * DAY + HOUR);

      // Review 5: skipped after its first reminder.
      const s5 = await until('review 5 to be planned', (s) => s.currentReview?.sequence === 5);
      expect(s5.currentReview?.scheduledAt).toBe(R[4]);
      reviewIds.push(s5.currentReview?.id as string);
      await stack.sleepUntil(held(4) - 7 * DAY);
      await handle.executeUpdate(flow.recordOutcomeUpdate, {
        args: [{ reviewId: reviewIds[4] as string, outcome: 'skipped', reason: 'budget vote' }],
      });
      acted.skipped5 = await now();

      // Review 6: held; nobody reflects. The partnership is completed once the window has closed.
      const s6 = await until('review 6 to be planned', (s) => s.currentReview?.sequence === 6);
      expect(s6.currentReview?.scheduledAt).toBe(R[5]);
      reviewIds.push(s6.currentReview?.id as string);
      await stack.sleepUntil(held(5) + HOUR);
      await handle.executeUpdate(flow.recordOutcomeUpdate, { args: [{ reviewId: reviewIds[5] as string, outcome: 'held' }] });
      acted.held6 = await now();
      await stack.sleepUntil(held(5) + 15 * DAY);
      const s7 = await until('review 7 to be planned', (s) => s.currentReview?.sequence === 7);
      reviewIds.push(s7.currentReview?.id as string);
      await handle.executeUpdate(flow.endUpdate, { args: [{ outcome: 'completed' }] });
      acted.ended = await now();
      await waitFor('the partnership to end', async () => (await handle.describe()).status.name === 'COMPLETED');
      await recordHistory(handle, 'eighteen-months-local-steps');
      await recordHistory(handle, 'eighteen-months-answers-first');
      await recordHistory(handle, 'eighteen-months-local-outcomes');
      await recordHistory(handle, 'eighteen-months-answer-before-next');
      await recordHistory(commitment(c3.id), 'overdue-escalated-via-held-review-local-steps');
      await recordHistory(client.workflow.getHandle(evidenceWorkflowId(e1.id)), 'submitted-after-reminder-local-steps');
    });

    // Every message, in order of its virtual due time: template, recipients, when.
    const names = (emails: string[]) => emails.map((e) => nameOf.get(e)).join(',');
    const everyone = names([...nameOf.keys()].sort());
    const CALENDAR_EXPECTED = [
      ...['review-invitation', 'review-invitation', 'review-invitation', 'partnership-paused', 'review-cancelled', 'partnership-resumed'],
      ...['review-invitation', 'review-invitation', 'review-cancelled', 'review-invitation', 'review-invitation', 'review-cancelled'],
      'partnership-ended',
    ].map((t) => [t, everyone]);
    // Messages due at the same moment (one per person) are ordered by recipient.
    // Invitations, cancellations and lifecycle notices are checked on their own below.
    const all = await outboxMessages(db, { partnershipId: p.id });
    const outbox = all
      .filter((o) => !CALENDAR_AND_LIFECYCLE.includes(o.template))
      .sort(
        (a, b) =>
          (a.dueAt ?? 0) - (b.dueAt ?? 0) || a.template.localeCompare(b.template) || names(a.recipients).localeCompare(names(b.recipients)),
      );
    const who3 = 'Ana,Ben,Pat';
    const reflectionOpened = async (i: number) =>
      (await db.reflection.findFirstOrThrow({ where: { reviewId: reviewIds[i] } })).promptedAt.getTime();
    const [open1, open2, open6] = [await reflectionOpened(0), await reflectionOpened(1), await reflectionOpened(5)];
    const prompts = (at: number) => ['Sam', 'Ana', 'Ben', 'Pat'].sort().map((n) => ['reflection-prompt', n, at]);
    const days = (at: DateTime | number, d: number, h = 0) =>
      (typeof at === 'number' ? DateTime.fromMillis(at, { zone: ZONE }) : at).plus({ days: d, hours: h }).toMillis();
    // Each owner is told at once of what was pledged at the first review (when its row was made).
    const made = async (table: 'commitment' | 'evidenceRequest', id: string) =>
      (table === 'commitment'
        ? await db.commitment.findUniqueOrThrow({ where: { id } })
        : await db.evidenceRequest.findUniqueOrThrow({ where: { id } })
      ).createdAt.getTime();
    const assigned = [
      ['commitment-assigned', 'Ana', await made('commitment', c1.id)],
      ['commitment-assigned', 'Ben', await made('commitment', c2.id)],
      ['commitment-assigned', 'Pat', await made('commitment', c3.id)],
      ['evidence-assigned', 'Ana', await made('evidenceRequest', e1.id)],
    ].sort(
      ([t1, n1, a1], [t2, n2, a2]) =>
        Number(a1) - Number(a2) || String(t1).localeCompare(String(t2)) || String(n1).localeCompare(String(n2)),
    );
    const expected = [
      ...assigned,
      ['review-reminder', who3, days(local(0), -14)],
      ['review-reminder', who3, days(local(0), -2)],
      ...prompts(open1),
      ['reflection-reminder', 'Pat', days(open1, 3)],
      ['reflection-reminder', 'Pat', days(open1, 7)],
      // The sponsor is told the summary for the board is up to date, as the leads get the reflections.
      ['board-summary', 'Sam', expect.closeTo(days(open1, 14), -5)],
      ['reflection-summary', 'Ana,Ben', expect.closeTo(days(open1, 14), -5)],
      ['commitment-reminder', 'Ana', days(c1.dueAt, -7)],
      ['commitment-reminder', 'Pat', days(c3.dueAt, -7)],
      ['commitment-reminder', 'Pat', days(c3.dueAt, -1)],
      ['commitment-overdue', 'Pat', c3.dueAt],
      ['commitment-reminder', 'Ben', days(c2.dueAt, -7)],
      ['commitment-escalation', 'Ana,Ben,Pat', days(c3.dueAt, 3)],
      ['evidence-reminder', 'Ana', days(e1.dueAt, -7)],
      ['commitment-escalation', 'Pat,Sam', days(c3.dueAt, 10)],
      ['commitment-reminder', 'Ben', days(c2extended, -7)],
      ['commitment-reminder', 'Ben', days(c2extended, -1)],
      ['review-reminder', who3, days(R2, -14)],
      ['review-reminder', who3, days(R2, -2)],
      ...prompts(open2),
      // The sponsor is told the summary for the board is up to date, as the leads get the reflections.
      ['board-summary', 'Sam', expect.closeTo(acted.allReflected2 as number, -5)],
      ['reflection-summary', 'Ana,Ben', expect.closeTo(acted.allReflected2 as number, -5)],
      ['review-reminder', who3, days(local(3), -14)],
      ['review-reminder', who3, days(local(3), -2)],
      ['review-missed', 'Ana,Ben,Sam', days(local(3), 2)],
      ['review-reminder', who3, days(local(4), -14)],
      ['review-reminder', who3, days(local(5), -14)],
      ['review-reminder', who3, days(local(5), -2)],
      ...prompts(open6),
      ['reflection-reminder', 'Ana', days(open6, 3)],
      ['reflection-reminder', 'Ben', days(open6, 3)],
      ['reflection-reminder', 'Pat', days(open6, 3)],
      ['reflection-reminder', 'Ana', days(open6, 7)],
      ['reflection-reminder', 'Ben', days(open6, 7)],
      ['reflection-reminder', 'Pat', days(open6, 7)],
      // The sponsor is told the summary for the board is up to date, as the leads get the reflections.
      ['board-summary', 'Sam', expect.closeTo(days(open6, 14), -5)],
      ['reflection-summary', 'Ana,Ben', expect.closeTo(days(open6, 14), -5)],
    ];
    expect(outbox.map((o) => [o.template, names(o.recipients), o.dueAt])).toEqual(expected);
    expect(all.every((o) => o.statuses.every((st) => st === 'sent') && o.attempts.every((a) => a === 1))).toBe(true);
    const received = await stack.mailbox.messages();
    expect(received.length).toBe(all.reduce((n, o) => n + o.recipients.length, 0));
    expect(all.filter((o) => CALENDAR_AND_LIFECYCLE.includes(o.template)).map((o) => [o.template, names(o.recipients)])).toEqual(
      CALENDAR_EXPECTED,
    );
    // User text reaches the HTML part escaped, the text part as written.
    const overdue = received.find((m) => m.subject.startsWith('Overdue:'));
    expect(overdue?.html).toContain('Schedule &lt;b>peer&lt;/b> visits');
    expect(overdue?.html).not.toContain('<b>');
    expect(overdue?.text).toContain('Schedule <b>peer</b> visits');
    // Prompts open the window the moment the review is recorded as held.
    for (const [opened, heldAt] of [
      [open1, acted.held1],
      [open2, acted.held2],
      [open6, acted.held6],
    ] as [number, number][]) {
      expect(Math.abs(opened - heldAt)).toBeLessThan(MINUTE);
    }
    const summaries = outbox.filter((o) => o.template === 'reflection-summary').map((o) => o.subject.replace(/.*: /, ''));
    expect(summaries).toEqual(['2 of 4 answered', '4 of 4 answered', '0 of 4 answered']);

    // Every state change, with its virtual time (to the minute: updates land moments after the test sends them).
    const close = (at: number | undefined) => expect.closeTo(at as number, -5);
    const reviews = await db.review.findMany({ where: { partnershipId: p.id }, orderBy: { sequence: 'asc' } });
    expect(reviews.map((r) => [r.sequence, r.status, r.scheduledAt.getTime(), r.originalAt?.getTime() ?? null, r.skipReason])).toEqual([
      [1, 'held', R[0], null, null],
      [2, 'held', R2, R[1], null],
      [3, 'skipped', R[2], null, 'the partnership was paused'],
      [4, 'missed', R[3], null, null],
      [5, 'skipped', R[4], null, 'budget vote'],
      [6, 'held', R[5], null, null],
      [7, 'skipped', R[6], null, 'the partnership ended'],
    ]);
    expect(reviews.map((r) => r.outcomeAt?.getTime() ?? null)).toEqual([
      close(acted.held1),
      close(acted.held2),
      close(acted.resumed),
      null,
      close(acted.skipped5),
      close(acted.held6),
      close(acted.ended),
    ]);
    expect(reviews.map((r) => r.reflectionsClosedAt?.getTime() ?? null)).toEqual([
      expect.closeTo(days(open1, 14), -5),
      close(acted.allReflected2),
      null,
      null,
      null,
      expect.closeTo(days(open6, 14), -5),
      null,
    ]);
    const commitments = await db.commitment.findMany({ where: { partnershipId: p.id }, include: { extensions: true } });
    const byId = new Map(commitments.map((c) => [c.id, c]));
    expect([c1, c2, c3].map((c) => [byId.get(c.id)?.status, byId.get(c.id)?.dueAt.getTime(), byId.get(c.id)?.closedAt?.getTime()])).toEqual(
      [
        ['done', c1.dueAt, close(acted.c1done)],
        ['done', c2extended, close(acted.c2done)],
        ['done', c3.dueAt, close(acted.c3done)],
      ],
    );
    expect(byId.get(c2.id)?.extensions.map((e) => [e.fromDueAt.getTime(), e.toDueAt.getTime(), e.reason])).toEqual([
      [c2.dueAt, c2extended, 'Coach hired late'],
    ]);
    expect(commitments.every((c) => c.reviewId === reviewIds[0])).toBe(true);
    const evidence = await db.evidenceRequest.findUniqueOrThrow({ where: { id: e1.id }, include: { items: true } });
    expect([evidence.status, evidence.closedAt?.getTime(), evidence.items.map((i) => [i.kind, i.link, i.submittedById])]).toEqual([
      'submitted',
      close(acted.e1submitted),
      [['observation', 'https://drive.example/obs-1', ana.id]],
    ]);
    const reflections = await db.reflection.groupBy({
      by: ['reviewId'],
      where: { reviewId: { in: reviewIds }, submittedAt: { not: null } },
      _count: true,
    });
    expect(Object.fromEntries(reflections.map((r) => [reviewIds.indexOf(r.reviewId) + 1, r._count]))).toEqual({ 1: 2, 2: 4 });
    const partnership = await db.partnership.findUniqueOrThrow({ where: { id: p.id } });
    expect([partnership.status, partnership.endedAt?.getTime()]).toEqual(['completed', close(acted.ended)]);

    // The event log, in the order things happened.
    const events = await db.partnershipEvent.findMany({ where: { partnershipId: p.id }, orderBy: { id: 'asc' } });
    expect(events.map((e) => e.type)).toEqual([
      'partnership.activated',
      'review.planned',
      'review.reminder_sent',
      'review.reminder_sent',
      'review.held',
      'commitment.created',
      'commitment.created',
      'commitment.created',
      'evidence.requested',
      'review.planned',
      'reflection.submitted',
      'reflection.submitted',
      'review.reflections_closed',
      'commitment.reminder_1',
      'commitment.done',
      'commitment.reminder_1',
      'commitment.reminder_2',
      'commitment.overdue',
      'commitment.overdue',
      'commitment.reminder_1',
      'commitment.escalation_leads',
      'commitment.extended',
      'evidence.reminder_1',
      'evidence.submitted',
      'commitment.escalation_sponsor',
      'commitment.done',
      'commitment.reminder_1',
      'commitment.reminder_2',
      'commitment.done',
      'review.reminder_sent',
      'review.reminder_sent',
      'review.held',
      'review.planned',
      'reflection.submitted',
      'reflection.submitted',
      'reflection.submitted',
      'reflection.submitted',
      'review.reflections_closed',
      'partnership.paused',
      'partnership.active',
      'review.planned',
      'review.reminder_sent',
      'review.reminder_sent',
      'review.missed',
      'review.planned',
      'review.reminder_sent',
      'review.skipped',
      'review.planned',
      'review.reminder_sent',
      'review.reminder_sent',
      'review.held',
      'review.planned',
      'review.reflections_closed',
      'partnership.completed',
    ]);
  });
});

import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { createMailer, type Mailer } from '../../lib/mail/mailer.js';
import { workflowBundle } from '../../lib/temporal/bundle.js';
import { partnershipWorkflowId } from '../../lib/temporal/ids.js';
import { partnershipWorkflow } from '../../workflows/partnership.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createRecurringPartnershipRecord } from '../support/fixtures.js';
import { startMailbox, waitFor } from '../support/mailbox.js';

const PARTNERSHIPS = 100;
const ZONES = ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles'];

describe('a cohort of 100 partnerships through its first year (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  let database: TestDatabase;
  let mailbox: Awaited<ReturnType<typeof startMailbox>>;
  let mailer: Mailer;

  beforeAll(async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: inject('testServerPath') } },
    });
    database = await createTestDatabase();
    mailbox = await startMailbox();
    mailer = createMailer(mailbox.url, 'Tandem <tandem@test.example>');
  });

  afterAll(async () => {
    mailer?.close();
    await mailbox?.stop();
    await database?.drop();
    await env?.teardown();
  });

  it('plans four quarterly reviews for each, sends every reminder once at its local time, and marks unrecorded reviews missed', async () => {
    const started = performance.now();
    const t0 = await env.currentTimeMs();
    const cohort = await database.db.cohort.create({ data: { name: 'Community of practice 2027' } });
    const plans: { id: string; reviews: DateTime[] }[] = [];
    for (let i = 0; i < PARTNERSHIPS; i++) {
      const timeZone = ZONES[i % ZONES.length] as string;
      // Quarterly from the month after next, on days 1..25, at 15:30 local time.
      const first = DateTime.fromMillis(t0, { zone: timeZone })
        .plus({ months: 2 })
        .set({ day: 1 + (i % 25), hour: 15, minute: 30, second: 0, millisecond: 0 });
      const p = await createRecurringPartnershipRecord(database.db, {
        rrule: 'FREQ=MONTHLY;INTERVAL=3',
        start: first.toFormat("yyyy-MM-dd'T'HH:mm"),
        timeZone,
        blackouts: [],
        reminderOffsets: ['P14D', 'P2D'],
        cohortId: cohort.id,
      });
      plans.push({ id: p.id, reviews: [0, 3, 6, 9, 12].map((m) => first.plus({ months: m })) });
    }

    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'tandem-cohort',
      workflowBundle: await workflowBundle(),
      activities: createActivities({ db: database.db, mailer, publicUrl: 'http://tandem.test' }),
    });
    await worker.runUntil(async () => {
      for (const p of plans) {
        await env.client.workflow.start(partnershipWorkflow, {
          workflowId: partnershipWorkflowId(p.id),
          taskQueue: 'tandem-cohort',
          args: [{ partnershipId: p.id }],
        });
      }
      await env.sleep(DateTime.fromMillis(t0).plus({ years: 1 }).toMillis() - (await env.currentTimeMs()));
      await waitFor(
        'every first-year review to be closed',
        async () =>
          (await database.db.review.count({ where: { partnership: { cohortId: cohort.id }, status: 'missed' } })) === 4 * PARTNERSHIPS,
        120_000,
      );
    });

    for (const p of plans) {
      const reviews = await database.db.review.findMany({ where: { partnershipId: p.id }, orderBy: { sequence: 'asc' } });
      expect(reviews.map((r) => [r.sequence, r.status, r.scheduledAt.getTime()])).toEqual(
        p.reviews.map((d, i) => [i + 1, i < 4 ? 'missed' : 'scheduled', d.toMillis()]),
      );
      const reminders = await database.db.emailOutbox.findMany({ where: { partnershipId: p.id }, orderBy: { dueAt: 'asc' } });
      // Two weeks and two days before, at the same local time even across DST.
      const due = p.reviews.slice(0, 4).flatMap((d) => [d.minus({ days: 14 }).toMillis(), d.minus({ days: 2 }).toMillis()]);
      expect(reminders.map((r) => [r.dueAt?.getTime(), r.status, r.attempts])).toEqual(due.map((d) => [d, 'sent', 1]));
    }
    expect(await mailbox.messages()).toHaveLength(8 * PARTNERSHIPS);
    console.log(`[cohort] ${PARTNERSHIPS} partnerships, first year: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }, 600_000);
});

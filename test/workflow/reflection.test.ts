import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { submitReflection } from '../../api/reflections.js';
import { ConflictError } from '../../lib/errors.js';
import { createLogger } from '../../lib/logger.js';
import { createMailer, type Mailer } from '../../lib/mail/mailer.js';
import { workflowBundle } from '../../lib/temporal/bundle.js';
import { partnershipWorkflowId, reflectionWorkflowId } from '../../lib/temporal/ids.js';
import { endUpdate, partnershipWorkflow, recordOutcomeUpdate, statusQuery } from '../../workflows/partnership.js';
import { reflectionStatusQuery } from '../../workflows/reflection.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createPartnershipRecord } from '../support/fixtures.js';
import { recordHistory } from '../support/histories.js';
import { startMailbox, waitFor } from '../support/mailbox.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

describe('reflection after a held review (time-skipping)', () => {
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

  it('prompts every member, reminds only those who have not answered, then sends the leads a summary', async () => {
    const t0 = await env.currentTimeMs();
    const reviewAt = t0 + 2 * DAY;
    const p = await createPartnershipRecord(database.db, {
      firstReviewAt: new Date(reviewAt),
      reminderOffsets: ['P1D'],
      timeZone: 'UTC',
      plannedAt: t0,
    });
    const coach = await database.db.person.create({ data: { name: 'Zoe Coach', email: `zoe.${p.id.slice(0, 6)}@center.example` } });
    await database.db.partnershipMember.create({ data: { partnershipId: p.id, personId: coach.id, role: 'participant' } });
    const [ana, ben] = [
      p.members.find((m) => m.role === 'district_lead')?.person,
      p.members.find((m) => m.role === 'partner_lead')?.person,
    ];
    const deps = { db: database.db, temporal: env.client, logger: createLogger('silent') };
    const answers = (email: string) => ({
      email,
      whatWorked: 'Shared data protocol',
      whatDidnt: 'Too little time',
      howToImprove: 'Send the data earlier',
    });
    const notices = async (template: string) =>
      (await database.db.emailOutbox.findMany({ where: { partnershipId: p.id, template }, orderBy: { idempotencyKey: 'asc' } }))
        .flatMap((o) => o.recipients)
        .sort();

    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'tandem-reflection',
      workflowBundle: await workflowBundle(),
      activities: createActivities({ db: database.db, mailer, publicUrl: 'http://tandem.test' }),
    });
    await worker.runUntil(async () => {
      const partnership = await env.client.workflow.start(partnershipWorkflow, {
        workflowId: partnershipWorkflowId(p.id),
        taskQueue: 'tandem-reflection',
        args: [{ partnershipId: p.id }],
      });
      await env.sleep(reviewAt + HOUR - (await env.currentTimeMs()));
      await waitFor('the review to take place', async () => (await partnership.query(statusQuery)).phase === 'waiting-for-outcome');
      await partnership.executeUpdate(recordOutcomeUpdate, { args: [{ reviewId: p.review.id, outcome: 'held', notes: 'Good session' }] });

      const reflection = env.client.workflow.getHandle(reflectionWorkflowId(p.review.id));
      await waitFor('the prompts', async () => (await notices('reflection-prompt')).length === 3);
      expect(await notices('reflection-prompt')).toEqual([ana?.email, ben?.email, coach.email].sort());
      const opened = await env.currentTimeMs();

      await env.sleep(DAY);
      await submitReflection(deps, p.review.id, answers(ana?.email as string));
      await expect(submitReflection(deps, p.review.id, answers(ana?.email as string))).rejects.toThrow(ConflictError);
      await waitFor('the signal', async () => (await reflection.query(reflectionStatusQuery)).answered === 1);

      await env.sleep(opened + 3 * DAY + HOUR - (await env.currentTimeMs()));
      await waitFor('the first reminders', async () => (await notices('reflection-reminder')).length === 2);
      expect(await notices('reflection-reminder')).toEqual([ben?.email, coach.email].sort());

      await env.sleep(2 * DAY);
      await submitReflection(deps, p.review.id, answers(ben?.email as string));
      await env.sleep(opened + 7 * DAY + HOUR - (await env.currentTimeMs()));
      await waitFor('the second reminder', async () => (await notices('reflection-reminder')).length === 3);
      expect(await notices('reflection-reminder')).toEqual([ben?.email, coach.email, coach.email].sort());

      await env.sleep(opened + 14 * DAY + HOUR - (await env.currentTimeMs()));
      // Not reflection.result(): awaiting a result lets the test server skip time freely, and with no
      // timer left it would run the partnership into its default execution timeout.
      await waitFor('the window to close', async () => (await reflection.query(reflectionStatusQuery)).closed);
      await waitFor('the reflection workflow to complete', async () => (await reflection.describe()).status.name === 'COMPLETED');
      await recordHistory(reflection, 'two-of-three-answered');
      await expect(submitReflection(deps, p.review.id, answers(coach.email))).rejects.toThrow(
        'The reflection window for this review has closed',
      );
      await partnership.executeUpdate(endUpdate, { args: [{ outcome: 'completed' }] });
      await partnership.result();
    });

    const summary = await database.db.emailOutbox.findFirstOrThrow({ where: { partnershipId: p.id, template: 'reflection-summary' } });
    expect(summary.recipients).toEqual([ana?.email, ben?.email].sort());
    expect(summary.subject).toBe(`Reflections on review #1 of ${p.name}: 2 of 3 answered`);
    const mail = (await mailbox.messages()).find((m) => m.subject === summary.subject);
    expect(mail?.text).toContain('Did not answer (1): Zoe Coach');
    const rows = await database.db.reflection.findMany({ where: { reviewId: p.review.id }, include: { person: true } });
    expect(
      rows
        .filter((r) => r.submittedAt)
        .map((r) => r.person.name)
        .sort(),
    ).toEqual(['Ana Diaz', 'Ben Ode']);
  });
});

import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, inject } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { createMailer, type Mailer } from '../../lib/mail/mailer.js';
import { workflowBundle } from '../../lib/temporal/bundle.js';
import { tracingWorkerOptions } from '../../lib/temporal/tracing.js';
import type { Post } from '../../lib/webhooks/post.js';
import { partnershipWorkflowId } from '../../workflows/ids.js';
import { partnershipWorkflow } from '../../workflows/partnerships/partnership.js';
import { testSealer, testTaskLinks } from './auth.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { startMailbox } from './mailbox.js';

export interface TimeSkippingStack {
  env: TestWorkflowEnvironment;
  database: TestDatabase;
  mailbox: Awaited<ReturnType<typeof startMailbox>>;
  mailer: Mailer;
  /** Lets the test server's clock run to `at` (epoch ms); at least a millisecond, so timers due now fire. */
  sleepUntil(at: number): Promise<void>;
  /** Starts a partnership's workflow on this stack's task queue, as the API does. */
  startPartnership(partnershipId: string): Promise<WorkflowHandleWithFirstExecutionRunId<typeof partnershipWorkflow>>;
  /** A worker with the real activities on this stack; a worker runs once, so one per test. */
  newWorker(opts?: { mailGiveUpAfterMs?: number; mailer?: Mailer; postWebhook?: Post }): Promise<Worker>;
}

/**
 * For a test file: the time-skipping test server, a database of its own on the real PostgreSQL, and
 * a real SMTP server in-process, set up before its tests and torn down after. Read the fields inside
 * tests (they are filled in by beforeAll).
 */
export function useTimeSkippingStack(taskQueue: string): TimeSkippingStack {
  const stack = { taskQueue } as unknown as TimeSkippingStack;
  beforeAll(async () => {
    stack.env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: inject('testServerPath') } },
    });
    stack.sleepUntil = async (at) => stack.env.sleep(Math.max(1, at - (await stack.env.currentTimeMs())));
    stack.startPartnership = (partnershipId) =>
      stack.env.client.workflow.start(partnershipWorkflow, {
        workflowId: partnershipWorkflowId(partnershipId),
        taskQueue,
        args: [{ partnershipId }],
      });
    stack.database = await createTestDatabase();
    stack.mailbox = await startMailbox();
    stack.mailer = createMailer(stack.mailbox.url, 'Tandem <tandem@test.example>');
    stack.newWorker = async (opts = {}) =>
      Worker.create({
        connection: stack.env.nativeConnection,
        taskQueue,
        workflowBundle: await workflowBundle(),
        sinks: tracingWorkerOptions().sinks,
        activities: createActivities({
          db: stack.database.db,
          mailer: opts.mailer ?? stack.mailer,
          publicUrl: 'http://tandem.test',
          mailGiveUpAfterMs: opts.mailGiveUpAfterMs ?? 86_400_000,
          taskLinks: testTaskLinks(stack.database.db),
          postWebhook: opts.postWebhook,
          sealer: testSealer,
        }),
      });
  });
  afterAll(async () => {
    stack.mailer?.close();
    await stack.mailbox?.stop();
    await stack.database?.drop();
    await stack.env?.teardown();
  });
  return stack;
}

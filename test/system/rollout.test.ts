import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { createMailer } from '../../lib/mail/mailer.js';
import { bundle, workflowBundle } from '../../lib/temporal/bundle.js';
import { tracingWorkerOptions } from '../../lib/temporal/tracing.js';
import { partnershipWorkflowId } from '../../workflows/ids.js';
import { partnershipWorkflow, statusQuery } from '../../workflows/partnerships/partnership.js';
import { testTaskLinks } from '../support/auth.js';
import { createPartnershipRecord } from '../support/fixtures.js';
import { waitFor } from '../support/mailbox.js';
import { useRoleStack } from '../support/roles.js';

const root = path.resolve(import.meta.dirname, '../..');
const QUEUE = 'tandem-rollout';
const PATCH = 'rollout-test';

/**
 * An upgrade on a Tuesday afternoon: partnerships run on a worker of today's code; a worker of the next
 * version, which changes what a partnership does before each reminder (a new timer, guarded with
 * patched() as every such change must be), joins while the old one still runs, and the old one is then
 * stopped. The open partnerships go on under the new code, each reminder once, and their histories,
 * begun by the old code and finished by the new, replay against the new code.
 *
 * The next version is today's workflows/ with that change applied to a copy, bundled as a release would be.
 */
describe('a new worker version rolled in while partnerships are open', () => {
  const stack = useRoleStack('rollout');
  let connection: Connection;
  const running: Array<{ worker: Worker; done: Promise<void> }> = [];

  beforeAll(async () => {
    connection = await Connection.connect({ address: stack.dev.address });
  });

  afterAll(async () => {
    for (const r of running) {
      if (r.worker.getState() === 'RUNNING') r.worker.shutdown();
      await r.done.catch(() => {});
    }
    await connection?.close();
    await rm(path.join(root, '.cache/rollout', path.basename(stack.dir)), { recursive: true, force: true });
  });

  /** Today's workflows with the next version's change: a one-millisecond timer before each reminder, behind patched(). */
  async function nextVersion(): Promise<string> {
    // Inside the checkout (in .cache/, ignored), so that the copy resolves @temporalio/workflow as the original does.
    const copy = path.join(root, '.cache/rollout', path.basename(stack.dir), 'workflows');
    await cp(path.join(root, 'workflows'), copy, { recursive: true });
    const file = path.join(copy, 'partnerships/partnership.ts');
    const source = await readFile(file, 'utf8');
    const anchor = '    await steps().sendReviewReminder(';
    expect(source.split(anchor)).toHaveLength(2);
    await writeFile(file, source.replace(anchor, `    if (patched('${PATCH}')) await sleep(1);\n${anchor}`));
    return path.join(copy, 'index.ts');
  }

  async function startWorker(code: WorkflowBundleOption) {
    const mailer = createMailer(stack.mailbox.url, 'Tandem <tandem@test.example>');
    // A connection of its own, as a worker in another process has.
    const own = await NativeConnection.connect({ address: stack.dev.address });
    const worker = await Worker.create({
      connection: own,
      taskQueue: QUEUE,
      workflowBundle: code,
      sinks: tracingWorkerOptions().sinks,
      activities: createActivities({
        db: stack.database.db,
        mailer,
        publicUrl: 'http://tandem.test',
        mailGiveUpAfterMs: 86_400_000,
        taskLink: testTaskLinks(stack.database.db),
      }),
    });
    const entry = {
      worker,
      done: worker.run().finally(async () => {
        mailer.close();
        await own.close();
      }),
    };
    running.push(entry);
    return entry;
  }

  it('goes on under the new code, each reminder once, and every history replays against it', async () => {
    const next = { code: (await bundle(await nextVersion())).code };
    const client = new Client({ connection });
    const old = await startWorker(await workflowBundle());

    // Three partnerships, reminded at +10 s and +30 s before their reviews at +40 s.
    const now = Date.now();
    const partnerships = [];
    for (let i = 0; i < 3; i++) {
      const p = await createPartnershipRecord(stack.database.db, {
        firstReviewAt: new Date(now + 40_000),
        reminderOffsets: ['PT30S', 'PT10S'],
        timeZone: 'UTC',
        plannedAt: now,
      });
      const handle = await client.workflow.start(partnershipWorkflow, {
        workflowId: partnershipWorkflowId(p.id),
        taskQueue: QUEUE,
        args: [{ partnershipId: p.id }],
      });
      partnerships.push({ p, handle });
    }
    for (const { handle } of partnerships) {
      await waitFor('the first reminder under the old code', async () => (await handle.query(statusQuery)).sentReminders.length === 1);
    }

    // The new version joins; the old one is stopped while the partnerships wait for their second reminder.
    await startWorker(next);
    old.worker.shutdown();
    await old.done;

    const reminders = async () => (await stack.mailbox.messages()).filter((m) => m.subject.startsWith('Reminder:'));
    await waitFor('the second reminders under the new code', async () => (await reminders()).length === 12, 300_000);
    for (const { p, handle } of partnerships) {
      const status = await handle.query(statusQuery);
      expect(status.sentReminders.map((r) => r.index)).toEqual([1, 2]);
      const members = p.members.map((m) => m.personId);
      const ids = (await reminders()).map((m) => m.messageId).filter((id) => id?.includes(p.review.id));
      expect(ids.sort()).toEqual(
        [1, 2].flatMap((i) => members.map((person) => `<review.${p.review.id}.reminder.${i}.to.${person}@tandem>`)).sort(),
      );
    }

    // Each history holds the new version's marker (its change ran for the second reminder) and replays
    // against the new code: what the old code recorded is read as the old code wrote it.
    const histories = await Promise.all(
      partnerships.map(async ({ handle }) => ({ workflowId: handle.workflowId, history: await handle.fetchHistory() })),
    );
    for (const { history } of histories) {
      const patches = (history.events ?? [])
        .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')
        .flatMap((e) => Object.values(e.markerRecordedEventAttributes?.details ?? {}))
        .flatMap((payloads) => (payloads.payloads ?? []).map((x) => Buffer.from(x.data ?? []).toString()));
      expect(patches.filter((d) => d.includes(PATCH))).toHaveLength(1);
    }
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle: next }, histories)) {
      expect(result.error, result.workflowId).toBeUndefined();
      replayed++;
    }
    expect(replayed).toBe(3);
  });
});

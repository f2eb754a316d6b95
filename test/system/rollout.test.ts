import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../lib/db/client.js';
import { migrate } from '../../lib/db/migrate.js';
import { bundle } from '../../lib/temporal/bundle.js';
import { tracingWorkerOptions } from '../../lib/temporal/tracing.js';
import { partnershipWorkflowId } from '../../workflows/ids.js';
import { partnershipWorkflow, statusQuery } from '../../workflows/partnerships/partnership.js';
import { createPartnershipRecord } from '../support/fixtures.js';
import { type HostedStack, startHostedStack } from '../support/hosted.js';
import { waitFor } from '../support/mailbox.js';
import { type RoleProcess, startRole } from '../support/role-process.js';

const root = path.resolve(import.meta.dirname, '../..');
const PATCH = 'rollout-test';
/** What a release of Tandem is made of: the source `tandem worker` runs from (node_modules are found above it). */
const RELEASE = [
  'activities',
  'api',
  'boot',
  'core',
  'generated',
  'lib',
  'prisma',
  'scripts',
  'web',
  'workflows',
  'package.json',
  'tsconfig.json',
];

/**
 * An upgrade on a Tuesday afternoon, as a host does it: partnerships run on `tandem worker` of today's
 * code, on the Temporal server on PostgreSQL; `tandem worker` of the next version, which changes what a
 * partnership does before each reminder (a new timer, guarded with patched() as every such change must
 * be), starts beside it, and the old one is stopped (SIGTERM, as an orchestrator stops a container). The
 * open partnerships go on under the new code, each reminder once, and their histories, begun by the old
 * code and finished by the new, replay against the new code.
 *
 * The next version is a copy of this checkout with that change applied, run from its own directory as
 * a release would be.
 */
describe('a new worker version rolled in while partnerships are open', () => {
  let hosted: HostedStack;
  let db: Db;
  let connection: Connection;
  const roles: RoleProcess[] = [];
  const release = path.join(root, '.cache/rollout', `next-${process.pid}`);

  beforeAll(async () => {
    hosted = await startHostedStack('rollout');
    await migrate(hosted.pg.url);
    db = createDb(hosted.pg.url);
    connection = await Connection.connect({ address: hosted.temporal.address });
  });

  afterAll(async () => {
    for (const r of roles) await r.stop('SIGKILL');
    await connection?.close();
    await db?.$disconnect();
    await hosted?.stop();
    await rm(release, { recursive: true, force: true });
  });

  /** This checkout with the next version's change: a one-millisecond timer before each reminder, behind patched(). */
  async function nextVersion(): Promise<string> {
    // Inside the checkout (in .cache/, ignored), so that the copy finds node_modules as the original does.
    await mkdir(release, { recursive: true });
    for (const entry of RELEASE) await cp(path.join(root, entry), path.join(release, entry), { recursive: true });
    const file = path.join(release, 'workflows/partnerships/partnership.ts');
    const source = await readFile(file, 'utf8');
    const anchor = '    await steps().sendReviewReminder(';
    expect(source.split(anchor)).toHaveLength(2);
    await writeFile(file, source.replace(anchor, `    if (patched('${PATCH}')) await sleep(1);\n${anchor}`));
    return release;
  }

  const worker = async (from?: string) => {
    const role = await startRole('worker', hosted.env, from);
    roles.push(role);
    return role;
  };

  it('goes on under the new code, each reminder once, and every history replays against it', async () => {
    const next = await nextVersion();
    const client = new Client({ connection });
    const old = await worker();

    // Three partnerships, reminded at +10 s and +30 s before their reviews at +40 s.
    const now = Date.now();
    const partnerships = [];
    for (let i = 0; i < 3; i++) {
      const p = await createPartnershipRecord(db, {
        firstReviewAt: new Date(now + 40_000),
        reminderOffsets: ['PT30S', 'PT10S'],
        timeZone: 'UTC',
        plannedAt: now,
      });
      const handle = await client.workflow.start(partnershipWorkflow, {
        workflowId: partnershipWorkflowId(p.id),
        taskQueue: hosted.env.TEMPORAL_TASK_QUEUE as string,
        args: [{ partnershipId: p.id }],
      });
      partnerships.push({ p, handle });
    }
    for (const { handle } of partnerships) {
      await waitFor('the first reminder under the old code', async () => (await handle.query(statusQuery)).sentReminders.length === 1);
    }

    // The new version starts beside the old one, which is then stopped while the partnerships wait
    // for their second reminder; it finishes what it holds and exits cleanly.
    await worker(next);
    expect(await old.stop('SIGTERM')).toBe(0);

    const reminders = async () => (await hosted.mailbox.messages()).filter((m) => m.subject.startsWith('Reminder:'));
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
    const code = (await bundle(path.join(next, 'workflows/index.ts'))).code;
    for await (const result of Worker.runReplayHistories({ workflowBundle: { code }, sinks: tracingWorkerOptions().sinks }, histories)) {
      expect(result.error, result.workflowId).toBeUndefined();
      replayed++;
    }
    expect(replayed).toBe(3);
  });
});

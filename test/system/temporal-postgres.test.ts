import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSystem, startSystem } from '../../boot/system.js';
import { loadConfig } from '../../lib/config.js';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../../lib/db/embedded.js';
import { createLogger } from '../../lib/logger.js';
import { freePort } from '../../lib/net.js';
import { startTemporalOnPostgres, type TemporalOnPostgresOptions, type TemporalServerProcess } from '../../lib/temporal/postgres-server.js';
import { resolveTemporalServer } from '../../lib/tools/provision.js';
import { embeddedSettings } from '../support/embedded.js';
import { waitFor } from '../support/mailbox.js';

/**
 * Tandem on the Temporal server (not the dev server) backed by PostgreSQL, the server built from its
 * Go module (`npm run provision`) and its schema set up by Tandem, on an embedded PostgreSQL that
 * also holds Tandem's own database. The system flow runs through a restart of the Temporal server
 * between the two reminders of a review, and a restart of PostgreSQL while a pledged commitment
 * waits for its deadline: every message arrives, none arrives twice.
 */
describe('Tandem on the Temporal server with PostgreSQL, through restarts', () => {
  const logger = createLogger('warn', 'tandem-test');
  let dataDir: string;
  let pgOptions: Parameters<typeof startEmbeddedPostgres>[0];
  let pg: EmbeddedDatabase;
  let serverOptions: TemporalOnPostgresOptions;
  let temporal: TemporalServerProcess;
  let system: RunningSystem;

  type Mail = { subject: string; messageId: string; envelopeTo: string[]; receivedAt: string };
  const api = (p: string, init?: RequestInit) =>
    fetch(`${system.apiUrl}${p}`, { ...init, headers: { authorization: `Bearer ${system.adminKey}`, ...init?.headers } });
  const post = (p: string, body: unknown) =>
    api(p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const mail = async (): Promise<Mail[]> => ((await (await api('/mail')).json()) as { messages: Mail[] }).messages;
  /** Waits until each of `recipients` has a copy whose subject starts with `subject`. */
  const arrived = (subject: string, recipients: string[]) =>
    waitFor(`"${subject}" for ${recipients.join(', ')}`, async () => {
      const copies = (await mail()).filter((m) => m.subject.startsWith(subject));
      const to = copies.flatMap((m) => m.envelopeTo).sort();
      return recipients.every((r) => to.includes(r)) && copies;
    });

  beforeAll(async () => {
    const settings = await embeddedSettings('tandem-temporal-pg-');
    dataDir = settings.DATA_DIR as string;
    const install = await resolveTemporalServer(path.resolve('.tools'), (m) => console.log(`[temporal-postgres test] ${m}`));
    pgOptions = { dataDir: path.join(dataDir, 'postgres'), port: await freePort(), database: 'tandem' };
    pg = await startEmbeddedPostgres(pgOptions);
    serverOptions = {
      install,
      postgresUrl: pg.url,
      stateDir: path.join(dataDir, 'temporal-server'),
      port: await freePort(),
      namespace: 'default',
    };
    temporal = await startTemporalOnPostgres(serverOptions);
    system = await startSystem(loadConfig({ ...settings, DATABASE_URL: pg.url, TEMPORAL_ADDRESS: temporal.address }), logger, () => {});
  });

  afterAll(async () => {
    await system?.stop();
    await temporal?.stop();
    await pg?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('sets up its schema in PostgreSQL and serves the namespace', async () => {
    const databases = await system.db.$queryRaw<{ datname: string }[]>`
      SELECT datname FROM pg_database WHERE datname LIKE 'temporal%' ORDER BY datname`;
    expect(databases.map((d) => d.datname)).toEqual(['temporal', 'temporal_visibility']);
    const health = (await (await api('/health')).json()) as { status: string; checks: Record<string, { status: string }> };
    expect([health.status, health.checks.temporal?.status]).toEqual(['up', 'up']);
  });

  it('invites, reminds, records an outcome and marks a commitment overdue, each message once, through both restarts', async () => {
    const t0 = Date.now();
    const created = await post('/partnerships', {
      name: 'Riverside numeracy',
      district: { name: 'Riverside USD' },
      partner: { name: 'Numeracy Partners' },
      timeZone: 'America/New_York',
      // Wide gaps, so that a busy machine still plans each step before it falls due.
      firstReviewAt: new Date(t0 + 100_000).toISOString(),
      reminderOffsets: ['PT80S', 'PT30S'],
      policy: { deadlineReminders: ['PT25S'] },
      members: [
        { name: 'Ana Diaz', email: 'ana@riverside.example', role: 'district_lead' },
        { name: 'Ben Ode', email: 'ben@numeracy.example', role: 'partner_lead' },
      ],
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const { id, firstReview } = (await created.json()) as { id: string; firstReview: { id: string; scheduledAt: string } };
    const both = ['ana@riverside.example', 'ben@numeracy.example'];
    const reminder = 'Reminder: review #1 of Riverside numeracy';

    await arrived('Invitation: review #1 of Riverside numeracy', both);
    const first = await arrived(reminder, both);
    expect(first).toHaveLength(2);

    // The Temporal server stops and starts again between the first reminder and the second.
    await temporal.stop();
    temporal = await startTemporalOnPostgres(serverOptions);
    await waitFor('the second reminder', async () => (await mail()).filter((m) => m.subject === reminder).length >= 4);

    await waitFor('the review to have taken place', async () => Date.now() > Date.parse(firstReview.scheduledAt) + 1_000);
    const dueAt = new Date(Date.now() + 45_000).toISOString();
    const outcome = await post(`/partnerships/${id}/reviews/${firstReview.id}/outcome`, {
      outcome: 'held',
      notes: 'Looked at the fall screener',
      commitments: [{ ownerEmail: 'ben@numeracy.example', side: 'partner', description: 'Share the coaching logs', dueAt }],
    });
    expect(outcome.status, await outcome.clone().text()).toBe(200);
    const commitmentId = ((await outcome.json()) as { created: { commitments: string[] } }).created.commitments[0] as string;

    // PostgreSQL (Tandem's database and Temporal's) stops and starts again while the commitment waits.
    await pg.stop();
    pg = await startEmbeddedPostgres(pgOptions);

    await arrived('Overdue: Share the coaching logs', ['ben@numeracy.example']);
    await waitFor('the commitment to be overdue', async () => {
      const c = await system.db.commitment.findUnique({ where: { id: commitmentId } });
      return c?.status === 'overdue';
    });
    // Nothing still on its way: the outbox has settled.
    const unsent = { status: { not: 'sent' as const } };
    await waitFor('every copy to be sent', async () => (await system.db.emailOutbox.count({ where: unsent })) === 0).catch(async (e) => {
      // Which copies, in which state: what a failure here needs to be understood.
      const left = await system.db.emailOutbox.findMany({
        where: unsent,
        select: { template: true, recipient: true, status: true, lastError: true },
      });
      throw new Error(`${(e as Error).message}; not sent: ${JSON.stringify(left)}`);
    });
    await new Promise((r) => setTimeout(r, 2_000));

    const all = await mail();
    const ids = all.map((m) => m.messageId);
    expect(new Set(ids).size, `a message arrived twice: ${ids.join(', ')}`).toBe(ids.length);
    const copies = (subject: string) =>
      all
        .filter((m) => m.subject.startsWith(subject))
        .flatMap((m) => m.envelopeTo)
        .sort();
    expect(copies('Invitation: review #1')).toEqual(both);
    expect(copies(reminder)).toEqual([...both, ...both].sort());
    // The "due soon" notice is skipped, by design, if the commitment's workflow planned it after its
    // time (a machine slow enough to take 20 s); it is never sent twice.
    expect(['', 'ben@numeracy.example']).toContain(copies('Due soon: Share the coaching logs').join());
    expect(copies('Overdue: Share the coaching logs')).toEqual(['ben@numeracy.example']);
    expect((await system.db.review.findUniqueOrThrow({ where: { id: firstReview.id } })).status).toBe('held');
    const outbox = await system.db.emailOutbox.groupBy({ by: ['status'], _count: true });
    expect(outbox.map((o) => o.status)).toEqual(['sent']);
    expect(outbox[0]?._count).toBe(all.length);

    const live = await api(`/partnerships/${id}/live`);
    expect(live.status).toBe(200);
    expect(((await live.json()) as { lifecycle: string }).lifecycle).toBe('active');
  });
});

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningSystem, startSystem } from '../../boot/system.js';
import { loadConfig } from '../../lib/config.js';
import { createLogger } from '../../lib/logger.js';
import { freePort } from '../../lib/net.js';
import { embeddedSettings } from '../support/embedded.js';
import { startMailbox, waitFor } from '../support/mailbox.js';

const root = path.resolve(import.meta.dirname, '../..');

/**
 * Backup and restore, tried: the embedded system on the Temporal server on PostgreSQL, with
 * partnerships in each state, is backed up while it runs (`npm run backup`), goes on sending, and is
 * stopped; Tandem is then started on the backup alone, with new ports. Everything recorded before the
 * backup is back, the reminders due after it are sent, nothing the outbox recorded as sent before the
 * backup is sent again; what was sent between the backup and the loss is sent again (what the README
 * says a restore cannot promise).
 */
describe('npm run backup, asked wrongly', () => {
  const run = (args: string[], env: Record<string, string>) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'scripts/backup.ts', ...args], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: '', TEMPORAL_SERVER: 'postgres', ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });

  it.each([
    ['without --to', [], {}, /^--to is required\nusage: npm run backup -- --to DIR/],
    [
      'with DATABASE_URL',
      ['--to', '/tmp/x'],
      { DATABASE_URL: 'postgresql://u:p@db.example:5432/tandem' },
      /back up your server with pg_basebackup/,
    ],
    ['on the dev server', ['--to', '/tmp/x'], { TEMPORAL_SERVER: 'dev' }, /needs TEMPORAL_SERVER=postgres/],
    ['into a directory that holds something', ['--to', root], {}, /is not empty: back up into a new directory/],
    [
      'with nothing running',
      ['--to', '/tmp/tandem-backup-of-nothing'],
      { EMBEDDED_POSTGRES_PORT: '1' },
      /no PostgreSQL answers on port 1: start Tandem first/,
    ],
  ])('%s: says why in one line, exits 2, and writes nothing', (_, args, env, message) => {
    const result = run(args as string[], env as Record<string, string>);
    expect(result.stderr.trim()).toMatch(message);
    expect(result.status).toBe(2);
    expect(existsSync('/tmp/tandem-backup-of-nothing')).toBe(false);
  });
});

describe('a backup of the running system, restored', () => {
  const logger = createLogger('warn', 'tandem-test');
  let original: RunningSystem | undefined;
  let restored: RunningSystem | undefined;
  const dirs: string[] = [];
  let mailbox: Awaited<ReturnType<typeof startMailbox>>;

  afterAll(async () => {
    await original?.stop();
    await restored?.stop();
    await mailbox?.stop();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('brings back every partnership and commitment, sends what falls due after it, and nothing sent before it again', async () => {
    mailbox = await startMailbox();
    const settings: Record<string, string> = {
      ...(await embeddedSettings('tandem-backup-')),
      TEMPORAL_SERVER: 'postgres',
      SMTP_URL: mailbox.url,
    };
    const dataDir = settings.DATA_DIR as string;
    dirs.push(dataDir);
    original = await startSystem(loadConfig(settings), logger, () => {});
    const system = original;
    const api = async (method: string, p: string, body?: unknown) => {
      const on = restored ?? system;
      const res = await fetch(`${on.apiUrl}${p}`, {
        method,
        headers: { authorization: `Bearer ${on.adminKey}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, json: (await res.json().catch(() => null)) as Record<string, unknown> & { id: string } };
    };
    const t0 = Date.now();
    const members = [
      { name: 'Ana Ruiz', email: 'ana@restore.example', role: 'district_lead' },
      { name: 'Ben Ode', email: 'ben@restore.example', role: 'partner_lead' },
    ];
    const make = (name: string, firstReviewAt: number, reminderOffsets: string[]) =>
      api('POST', '/partnerships', {
        name,
        district: { name: `${name} USD` },
        partner: { name: `${name} Partners` },
        timeZone: 'America/Chicago',
        firstReviewAt: new Date(firstReviewAt).toISOString(),
        reminderOffsets,
        members,
      });
    // Reminders at +25 s (before the backup), +55 s (after it, before the loss) and +150 s (after the restore).
    const active = await make('Restored literacy', t0 + 180_000, ['PT155S', 'PT125S', 'PT30S']);
    expect(active.status).toBe(201);
    const paused = await make('Restored paused', t0 + 30 * 86_400_000, ['P1D']);
    const ended = await make('Restored ended', t0 + 30 * 86_400_000, ['P1D']);
    expect((await api('POST', `/partnerships/${paused.json.id}/pause`, { reason: 'Summer' })).status).toBe(200);
    expect((await api('POST', `/partnerships/${ended.json.id}/end`, { outcome: 'completed', reason: 'Done' })).status).toBe(200);
    const commitment = (description: string) =>
      api('POST', `/partnerships/${active.json.id}/commitments`, {
        ownerEmail: 'ana@restore.example',
        side: 'district',
        description,
        dueAt: new Date(t0 + 20 * 86_400_000).toISOString(),
      });
    const open = await commitment('Share the plan');
    const done = await commitment('Send the data');
    expect([open.status, done.status]).toEqual([201, 201]);
    expect((await api('POST', `/commitments/${done.json.id}/complete`, {})).status).toBe(200);

    const reminders = async () => (await mailbox.messages()).filter((m) => m.subject === 'Reminder: review #1 of Restored literacy');
    await waitFor('the first reminder', async () => (await reminders()).length === 2);

    // The backup, taken by the command an operator runs, while everything runs.
    const backupDir = `${dataDir}-backup`;
    dirs.push(backupDir);
    const backup = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/backup.ts', '--to', backupDir], {
      cwd: root,
      env: { ...process.env, ...settings },
      encoding: 'utf8',
      timeout: 300_000,
    });
    expect(backup.status, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/\[backup\] done: /);
    const manifest = JSON.parse(await readFile(path.join(backupDir, 'backup.json'), 'utf8')) as { consistentAt: string };
    const backedUpAt = Date.parse(manifest.consistentAt);
    expect(backedUpAt).toBeLessThan(t0 + 55_000);

    // The second reminder goes out after the backup; then the machine is lost.
    await waitFor('the second reminder', async () => (await reminders()).length === 4);
    await original.stop();
    original = undefined;

    // Started on the backup alone, on other ports: the same secret signs, the same admin key opens.
    restored = await startSystem(
      loadConfig({
        ...settings,
        DATA_DIR: backupDir,
        PORT: String(await freePort()),
        EMBEDDED_POSTGRES_PORT: String(await freePort()),
        TEMPORAL_DEV_SERVER_PORT: String(await freePort()),
      }),
      logger,
      () => {},
    );
    const list = await api('GET', '/partnerships?limit=50');
    expect(list.status).toBe(200);
    const byName = Object.fromEntries((list.json.items as Array<{ name: string; status: string }>).map((p) => [p.name, p.status]));
    expect(byName).toEqual({ 'Restored literacy': 'active', 'Restored paused': 'paused', 'Restored ended': 'completed' });
    const commitments = await restored.db.commitment.findMany({
      where: { partnershipId: active.json.id },
      orderBy: { description: 'asc' },
    });
    expect(commitments.map((c) => [c.description, c.status])).toEqual([
      ['Send the data', 'done'],
      ['Share the plan', 'open'],
    ]);

    // The third reminder, due after the restore, goes out once to each; the first, sent before the
    // backup, is not sent again; the second, sent after it, is sent again by the restored system.
    await waitFor('the third reminder', async () => (await reminders()).length >= 8, 600_000);
    await new Promise((r) => setTimeout(r, 3000));
    const ids = (await reminders()).map((m) => m.messageId);
    const count = (n: number) => ids.filter((id) => id?.includes(`.reminder.${n}.`)).length;
    expect([count(1), count(2), count(3)]).toEqual([2, 4, 2]);
    const live = await api('GET', `/partnerships/${active.json.id}/live`);
    expect((live.json.sentReminders as unknown[]).length).toBe(3);
  });
});

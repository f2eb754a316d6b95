import { type ChildProcess, spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { embeddedSettings } from '../support/embedded.js';
import { waitFor } from '../support/mailbox.js';

const root = path.resolve(import.meta.dirname, '../..');

/** Whether a process runs under that PID (a zombie, exited but not reaped, counts as gone). */
async function running(pid: number): Promise<boolean> {
  return Boolean(await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => ''));
}

/**
 * `npm start` killed with SIGKILL leaves its PostgreSQL and Temporal dev server running; the next
 * `npm start` stops them (found by their PID files, only if they still run what was started) and
 * comes up on the same data, instead of failing on ports in use.
 */
describe('npm start after an earlier one was killed', () => {
  let dataDir: string;
  const children: ChildProcess[] = [];
  afterAll(async () => {
    // A child that ended has an exit code, or the signal that ended it (the first run's SIGKILL).
    const live = children.filter((c) => c.exitCode === null && c.signalCode === null);
    for (const c of live) c.kill('SIGINT');
    await Promise.all(live.map((c) => new Promise((r) => c.once('exit', r))));
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('stops what the killed run left behind and starts on the same data', async () => {
    const settings = await embeddedSettings('tandem-orphans-');
    dataDir = settings.DATA_DIR as string;
    const env = {
      ...process.env,
      NODE_ENV: 'development',
      ...settings,
      DATABASE_URL: '',
      TEMPORAL_ADDRESS: '',
      SMTP_URL: '',
      AUTH_SECRET: '',
      LOG_LEVEL: 'warn',
    };
    const start = () => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      let out = '';
      child.stdout?.on('data', (d) => {
        out += d;
      });
      child.stderr?.on('data', (d) => {
        out += d;
      });
      return { child, output: () => out };
    };

    const first = start();
    await waitFor(
      'the first start to be ready',
      async () => first.output().includes('press Ctrl-C to stop') || first.child.exitCode !== null,
    );
    expect(first.output()).toContain('press Ctrl-C to stop');
    const postgresPid = Number((await readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0]);
    const temporalPid = Number(await readFile(path.join(dataDir, 'temporal', 'temporal.db.pid'), 'utf8'));
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    // What kill -9 leaves: both servers still running, on their ports and data.
    expect([await running(postgresPid), await running(temporalPid)]).toEqual([true, true]);

    const second = start();
    await waitFor(
      'the second start to be ready',
      async () => second.output().includes('press Ctrl-C to stop') || second.child.exitCode !== null,
    );
    expect(second.output()).toContain(`stopped PostgreSQL (pid ${postgresPid}) left running by an earlier start that was killed`);
    expect(second.output()).toContain(
      `stopped the Temporal dev server (pid ${temporalPid}) left running by an earlier start that was killed`,
    );
    expect(second.output()).toContain('press Ctrl-C to stop');
    expect([await running(postgresPid), await running(temporalPid)]).toEqual([false, false]);
    // The same data: the admin key the first run made still works.
    const key = (await readFile(path.join(dataDir, 'admin-api-key'), 'utf8')).trim();
    const res = await fetch(`http://localhost:${settings.PORT}/partnerships`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);

    second.child.kill('SIGINT');
    expect(await new Promise((r) => second.child.once('exit', r))).toBe(0);
  });
});

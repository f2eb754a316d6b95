import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../../lib/net.js';
import { waitFor } from './mailbox.js';

const root = path.resolve(import.meta.dirname, '../..');

export interface RoleProcess {
  child: ChildProcess;
  /** Its JSON log lines so far. */
  lines(): Array<{ msg: string; level: number; [key: string]: unknown }>;
  /** Settles with the exit code once it has exited. */
  exited: Promise<number | null>;
  /** The port of its HTTP side: the API's PORT, the worker's WORKER_HEALTH_PORT. */
  port: number;
  /** Sends `signal` and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** What every role takes on a test stack: its database, Temporal and SMTP, and a task queue and a secret named after the stack. */
export const roleEnv = (name: string, on: { database: string; temporal: string; smtp: string }): Record<string, string> => ({
  DATABASE_URL: on.database,
  TEMPORAL_ADDRESS: on.temporal,
  SMTP_URL: on.smtp,
  TEMPORAL_TASK_QUEUE: `tandem-${name}`,
  AUTH_SECRET: `${name}-test-secret-`.padEnd(40, 'x'),
});

/**
 * A production role (`tandem api` or `tandem worker`, scripts/tandem.ts) in a process of its own, from
 * source, so that a test can run several, read their logs and kill one outright. Resolves once it
 * serves `/ready`: the API its routes, the worker polling its task queue. `release` is the checkout it
 * runs from: this one, or another version's copy (test/system/rollout.test.ts).
 */
export async function startRole(role: 'api' | 'worker', env: Record<string, string>, release = root): Promise<RoleProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/tandem.ts', role], {
    cwd: release,
    env: { ...process.env, LOG_LEVEL: 'info', ...env, [role === 'api' ? 'PORT' : 'WORKER_HEALTH_PORT']: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  await waitFor(`tandem ${role} to be ready`, async () => {
    if (gone) throw new Error(`tandem ${role} exited before it was ready:\n${stdout}`);
    return (await fetch(`http://localhost:${port}/ready`).catch(() => undefined))?.ok;
  });
  return {
    child,
    port,
    exited,
    lines: () =>
      stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l)),
    async stop(signal = 'SIGTERM') {
      if (!gone) child.kill(signal);
      return exited;
    },
  };
}

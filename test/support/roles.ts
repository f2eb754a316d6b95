import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { freePort } from '../../lib/net.js';
import type { DevServer } from '../../lib/temporal/dev-server.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { startTestDevServer } from './dev-server.js';
import { startMailbox, waitFor } from './mailbox.js';

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

/**
 * A production role (`tandem api` or `tandem worker`, scripts/tandem.ts) in a process of its own, from
 * source, so that a test can run several, read their logs and kill one outright. Resolves once it
 * serves `/ready`: the API its routes, the worker polling its task queue.
 */
export async function startRole(role: 'api' | 'worker', env: Record<string, string>): Promise<RoleProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/tandem.ts', role], {
    cwd: root,
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

export interface RoleStack {
  /** A scratch directory of the file's own (the dev server's state among it). */
  dir: string;
  dev: DevServer;
  database: TestDatabase;
  mailbox: Awaited<ReturnType<typeof startMailbox>>;
  /** What every role needs: the database, Temporal, SMTP, a task queue and a secret of the file's own. */
  env: Record<string, string>;
  /** A role on this stack, with `extra` settings; killed at the end of the file if still running. */
  start(role: 'api' | 'worker', extra?: Record<string, string>): Promise<RoleProcess>;
}

/**
 * What the production roles run against in a test file: a Temporal dev server, a database and an
 * SMTP capture of its own, made before its tests and removed after them.
 */
export function useRoleStack(name: string): RoleStack {
  const started: RoleProcess[] = [];
  const stack = {
    start: async (role: 'api' | 'worker', extra: Record<string, string> = {}) => {
      const p = await startRole(role, { ...stack.env, ...extra });
      started.push(p);
      return p;
    },
  } as RoleStack;
  beforeAll(async () => {
    stack.dir = await mkdtemp(path.join(os.tmpdir(), `tandem-${name}-`));
    // The dev server's files are reached by its own process.
    await chmod(stack.dir, 0o755);
    stack.dev = await startTestDevServer(stack.dir);
    stack.database = await createTestDatabase();
    stack.mailbox = await startMailbox();
    stack.env = {
      DATABASE_URL: stack.database.url,
      TEMPORAL_ADDRESS: stack.dev.address,
      SMTP_URL: stack.mailbox.url,
      TEMPORAL_TASK_QUEUE: `tandem-${name}`,
      AUTH_SECRET: `${name}-test-secret-`.padEnd(40, 'x'),
    };
  });
  afterAll(async () => {
    for (const p of started) await p.stop('SIGKILL');
    await stack.mailbox?.stop();
    await stack.database?.drop();
    await stack.dev?.stop();
    if (stack.dir) await rm(stack.dir, { recursive: true, force: true });
  });
  return stack;
}

import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { DevServer } from '../../lib/temporal/dev-server.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { startTestDevServer } from './dev-server.js';
import { startMailbox } from './mailbox.js';
import { type RoleProcess, roleEnv, startRole } from './role-process.js';

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
    stack.env = roleEnv(name, { database: stack.database.url, temporal: stack.dev.address, smtp: stack.mailbox.url });
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

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { type RunningSystem, startSystem } from '../boot/system.js';
import { loadConfig } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import { freePort } from '../lib/net.js';
import { type RoleProcess, startRole } from '../test/support/role-process.js';
import { say } from './database.js';

/** BENCH_WORKERS: how many workers poll the task queue (default 1); the others run as `tandem worker` processes. */
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
/**
 * Where mail goes. `in-process`: the system's own capture, as `npm start` has it. `relay`: a capture
 * in a process of its own (bench/mail-relay.ts), as a host sends to its relay elsewhere.
 */
const mailModes = z.enum(['in-process', 'relay']);

/** The local mail capture in a process of its own; resolves with its SMTP URL once it listens. */
async function startMailRelay(dir: string): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./mail-relay.ts', import.meta.url)), dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const [line] = (await Promise.race([once(createInterface({ input: child.stdout }), 'line'), exited.then(() => [])])) as string[];
  if (!line) throw new Error('the mail relay exited before it listened');
  return {
    url: line,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * The whole system as `npm start` runs it (embedded PostgreSQL, the Temporal server that
 * TEMPORAL_SERVER names, the real worker and API, local mail capture) in a scratch directory on free
 * ports, for one benchmark run, with BENCH_WORKERS - 1 more workers beside it; stopped and removed afterwards.
 */
export async function withBenchSystem(
  run: (system: RunningSystem, scratchDir: string) => Promise<void>,
  /** The bench's default for where mail goes; BENCH_MAIL overrides it. */
  defaults: { mail?: z.infer<typeof mailModes> } = {},
): Promise<void> {
  const mail = mailModes.parse(process.env.BENCH_MAIL ?? defaults.mail ?? 'in-process');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tandem-bench-system-'));
  // PostgreSQL runs as its own user, which must reach its data directory.
  await chmod(dir, 0o755);
  const relay = mail === 'relay' ? await startMailRelay(path.join(dir, 'relayed-mail')) : undefined;
  if (relay) say(`mail goes to a relay in its own process (${relay.url})`);
  const env = {
    ...process.env,
    ...(relay && { SMTP_URL: relay.url }),
    DATA_DIR: dir,
    LOG_LEVEL: 'warn',
    PORT: String(await freePort()),
    EMBEDDED_POSTGRES_PORT: String(await freePort()),
    TEMPORAL_DEV_SERVER_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    SMTP_CAPTURE_PORT: String(await freePort()),
    WORKER_HEALTH_PORT: String(await freePort()),
  };
  const config = loadConfig(env);
  say(
    `Temporal: ${config.TEMPORAL_ADDRESS ?? `the embedded ${config.TEMPORAL_SERVER === 'postgres' ? 'server on PostgreSQL' : 'dev server'}`}`,
  );
  const system = await startSystem(config, createLogger('warn', 'bench'), (m) => say(m)).catch(async (e: unknown) => {
    await relay?.stop();
    throw e;
  });
  const workers: RoleProcess[] = [];
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      for (const w of workers) await w.stop();
      await system.stop();
      await relay?.stop();
      await rm(dir, { recursive: true, force: true });
    })();
    return stopped;
  };
  // Interrupted (Ctrl-C, or a SIGTERM from a script), the bench stops what it started: without this
  // Node exits at once and leaves PostgreSQL, the Temporal server and the extra workers running.
  const onSignal = (signal: NodeJS.Signals) => {
    say(`${signal} received: stopping the bench's system`);
    void stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    for (let i = 1; i < WORKERS; i++) {
      workers.push(
        await startRole('worker', {
          LOG_LEVEL: 'warn',
          DATABASE_URL: system.databaseUrl,
          TEMPORAL_ADDRESS: system.temporalAddress,
          SMTP_URL: system.smtpUrl,
          TEMPORAL_TASK_QUEUE: config.TEMPORAL_TASK_QUEUE,
          PUBLIC_URL: config.publicUrl,
          // The secret `npm start` keeps in its data directory: sign-in links minted by any worker must work.
          AUTH_SECRET: config.AUTH_SECRET ?? (await readFile(path.join(dir, 'auth-secret'), 'utf8')).trim(),
        }),
      );
      say(`worker ${i + 1} of ${WORKERS} polling (tandem worker, pid ${workers.at(-1)?.child.pid})`);
    }
    await run(system, dir);
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    await stop();
  }
}

import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stopLeftover } from '../leftovers.js';
import { canConnect, freePort } from '../net.js';

export interface DevServer {
  address: string;
  uiUrl: string | undefined;
  stop(): Promise<void>;
  /** Whether its process still runs. */
  alive(): boolean;
}

/**
 * `temporal server start-dev` as a child process, persisting to `dbFile` so that workflows outlive
 * a restart. Its output goes to `logFile`, not to the console.
 */
export async function startDevServer(opts: {
  cliPath: string;
  port: number;
  uiPort: number | null;
  dbFile: string;
  logFile: string;
  namespace: string;
  startTimeoutMs?: number;
  /** Told when a dev server left running on this state by a killed earlier run is stopped first. */
  progress?: (message: string) => void;
}): Promise<DevServer> {
  await mkdir(path.dirname(opts.dbFile), { recursive: true });
  await mkdir(path.dirname(opts.logFile), { recursive: true });
  const leftover = await stopLeftover({
    pidFile: pidFileOf(opts.dbFile),
    started: (cmd) => cmd.includes('start-dev') && cmd.includes(opts.dbFile),
    signal: 'SIGTERM',
    what: 'The Temporal dev server',
  });
  if (leftover) opts.progress?.(`stopped the Temporal dev server (pid ${leftover}) left running by an earlier start that was killed`);
  if (await canConnect('127.0.0.1', opts.port)) {
    throw new Error(`port ${opts.port} is already in use; stop what listens there or set TEMPORAL_DEV_SERVER_PORT`);
  }
  // The HTTP and metrics ports are picked free, but another process may take one before the server
  // binds it; then the server exits at once, and it is started again on other ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(opts);
    } catch (e) {
      if (!(e instanceof AuxiliaryPortTaken) || attempt >= 3) throw e;
    }
  }
}

class AuxiliaryPortTaken extends Error {}

/** Where the dev server's PID is kept while it runs, beside its state, for the next start to find. */
const pidFileOf = (dbFile: string) => `${dbFile}.pid`;

async function launch(opts: Parameters<typeof startDevServer>[0]): Promise<DevServer> {
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--http-port',
    String(await freePort()),
    '--metrics-port',
    String(await freePort()),
    '--db-filename',
    opts.dbFile,
    '--namespace',
    opts.namespace,
    '--log-level',
    'warn',
    ...(opts.uiPort === null ? ['--headless'] : ['--ui-port', String(opts.uiPort), '--ui-disable-news-fetch']),
  ];
  const logStart = (await stat(opts.logFile).catch(() => null))?.size ?? 0;
  const log = createWriteStream(opts.logFile, { flags: 'a' });
  // The log is for people; a full disk must not take the process down with it.
  log.on('error', () => {});
  const child: ChildProcess = spawn(opts.cliPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid) await writeFile(pidFileOf(opts.dbFile), `${child.pid}\n`);
  // Two sources into one log: neither may end it (the first to close would, before the other's last
  // lines and the exit note below); stop() and a failed start end it.
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  // 'close', not 'exit': it comes once the output streams are drained too, so the log has every line.
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code, signal) => {
      // Said in its own log: a server that vanished names the signal that ended it.
      if (!log.writableEnded) log.write(`[tandem] the dev server (pid ${child.pid}) ended: ${signal ?? `exit code ${code}`}\n`);
      resolve(code);
    }),
  );

  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  let ready = false;
  while (!ready) {
    const early = await Promise.race([exited, new Promise((r) => setTimeout(() => r('running'), 250))]);
    if (early !== 'running') {
      await new Promise<void>((resolve) => log.end(resolve));
      // This attempt's lines only (the log is appended to): a Go panic's stack trace can bury the
      // "address already in use" that says another process took a port between our pick and its bind.
      const said = (await readFile(opts.logFile, 'utf8').catch(() => '')).slice(logStart);
      const tail = said.trim().split('\n').slice(-5).join('\n');
      const taken = /.*address already in use.*/.exec(said)?.[0];
      if (taken && !said.includes(`:${opts.port}: bind`)) throw new AuxiliaryPortTaken(taken);
      // A panic's first line says why; its last lines only where.
      const cause = /^(panic|Error|error)\b.*$/m.exec(said)?.[0];
      throw new Error(`Temporal dev server exited with code ${early} during start; see ${opts.logFile}:\n${cause ?? tail}`);
    }
    ready = await canConnect('127.0.0.1', opts.port);
    if (!ready && Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Temporal dev server did not listen on ${opts.port} in time; see ${opts.logFile}`);
    }
  }
  return {
    address: `127.0.0.1:${opts.port}`,
    uiUrl: opts.uiPort === null ? undefined : `http://localhost:${opts.uiPort}`,
    alive: () => child.exitCode === null && child.signalCode === null,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
      await rm(pidFileOf(opts.dbFile), { force: true });
      log.end();
    },
  };
}

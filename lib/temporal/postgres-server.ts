import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import pg from 'pg';
import YAML from 'yaml';
import { stopLeftover } from '../leftovers.js';
import { canConnect, freePort } from '../net.js';
import type { TemporalServerInstall } from '../tools/provision.js';

const run = promisify(execFile);

/** The running server: where to connect, and how to stop it (its state stays in PostgreSQL). */
export interface TemporalServerProcess {
  address: string;
  stop(): Promise<void>;
}

/** Temporal's two databases on the PostgreSQL it is given, as its docker-compose setup names them. */
const DATABASES = [
  { name: 'temporal', schema: 'temporal' },
  { name: 'temporal_visibility', schema: 'visibility' },
] as const;

/** How long closed workflows stay readable in the namespace this creates (the dev server keeps them a day). */
const RETENTION_SECONDS = 3 * 86_400;

export interface TemporalOnPostgresOptions {
  install: TemporalServerInstall;
  /** A PostgreSQL role allowed to create databases; Temporal's two databases are created beside the URL's. */
  postgresUrl: string;
  /** Holds the generated config, the server's log and its PID file. */
  stateDir: string;
  /** The frontend's gRPC port, what TEMPORAL_ADDRESS points at; the server's other ports are picked free. */
  port: number;
  namespace: string;
  startTimeoutMs?: number;
  progress?: (message: string) => void;
}

/**
 * The Temporal server (not the dev server) on PostgreSQL, as a child process: its schema set up or
 * upgraded with the schema tool, a config made from the module's development-postgres12 template,
 * and the namespace created. Its state lives in PostgreSQL, so stopping and starting it again on the
 * same database loses nothing.
 */
export async function startTemporalOnPostgres(opts: TemporalOnPostgresOptions): Promise<TemporalServerProcess> {
  await mkdir(opts.stateDir, { recursive: true });
  const pidFile = path.join(opts.stateDir, 'temporal-server.pid');
  // The server reads config/development.yaml under --root.
  const configDir = path.join(opts.stateDir, 'config');
  const leftover = await stopLeftover({
    pidFile,
    started: (cmd) => cmd.includes(opts.install.server) && cmd.includes(opts.stateDir),
    signal: 'SIGTERM',
    what: 'The Temporal server',
  });
  if (leftover) opts.progress?.(`stopped the Temporal server (pid ${leftover}) left running by an earlier start that was killed`);
  if (await canConnect('127.0.0.1', opts.port)) {
    throw new Error(`port ${opts.port} is already in use; stop what listens there or set TEMPORAL_DEV_SERVER_PORT`);
  }
  await setUpSchema(opts);
  await writeConfig(opts, configDir);

  const logFile = path.join(opts.stateDir, 'server.log');
  const log = createWriteStream(logFile, { flags: 'a' });
  const child: ChildProcess = spawn(
    opts.install.server,
    ['--root', opts.stateDir, '--config', 'config', '--env', 'development', '--allow-no-auth', 'start'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (child.pid) await writeFile(pidFile, `${child.pid}\n`);
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    }
    await rm(pidFile, { force: true });
    log.end();
  };
  try {
    await Promise.race([
      ensureNamespace(`127.0.0.1:${opts.port}`, opts.namespace, Date.now() + (opts.startTimeoutMs ?? 120_000)),
      exited.then(async (code) => {
        const tail = (await readFile(logFile, 'utf8').catch(() => ''))
          .trim()
          .split('\n')
          .slice(-3)
          .map((l) => l.slice(0, 400))
          .join('\n');
        throw new Error(`the Temporal server exited with code ${code} during start; see ${logFile}:\n${tail}`);
      }),
    ]);
  } catch (e) {
    await stop();
    throw e;
  }
  return { address: `127.0.0.1:${opts.port}`, stop };
}

/** Creates Temporal's databases if missing, their schema at version 0 if new, then upgrades them to the module's. */
async function setUpSchema(opts: TemporalOnPostgresOptions): Promise<void> {
  const url = new URL(opts.postgresUrl);
  const admin = new pg.Client({ connectionString: opts.postgresUrl });
  await admin.connect();
  try {
    for (const db of DATABASES) {
      const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [db.name]);
      if (!rowCount) await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(db.name)}`);
    }
  } finally {
    await admin.end();
  }
  const connection = ['--plugin', 'postgres12', '--ep', url.hostname, '-p', url.port || '5432', '-u', decodeURIComponent(url.username)];
  // The password goes by the environment, not the command line, which every user of the machine can read.
  const env = { ...process.env, SQL_PASSWORD: decodeURIComponent(url.password) };
  for (const db of DATABASES) {
    const tool = (...args: string[]) => run(opts.install.sqlTool, [...connection, '--db', db.name, ...args], { env, maxBuffer: 16 << 20 });
    const probe = new URL(opts.postgresUrl);
    probe.pathname = `/${db.name}`;
    const client = new pg.Client({ connectionString: probe.toString() });
    await client.connect();
    const { rows } = await client
      .query<{ present: boolean }>(`SELECT to_regclass('public.schema_version') IS NOT NULL AS present`)
      .finally(() => client.end());
    if (!rows[0]?.present) await tool('setup-schema', '-v', '0.0');
    await tool('update-schema', '-d', path.join(opts.install.schemaDir, db.schema, 'versioned'));
  }
  opts.progress?.('Temporal schema ready in PostgreSQL (databases temporal and temporal_visibility)');
}

/**
 * config/development.yaml from the module's development-postgres12 template: this PostgreSQL, the
 * frontend on `port`, free ports for the other services, no metrics or pprof listeners, no archival.
 */
async function writeConfig(opts: TemporalOnPostgresOptions, configDir: string): Promise<void> {
  const url = new URL(opts.postgresUrl);
  const config = YAML.parse(await readFile(opts.install.configTemplate, 'utf8'));
  config.log = { stdout: true, level: 'warn' };
  for (const store of Object.values(config.persistence.datastores) as { sql: Record<string, unknown> }[]) {
    store.sql.connectAddr = `${url.hostname}:${url.port || '5432'}`;
    store.sql.user = decodeURIComponent(url.username);
    store.sql.password = decodeURIComponent(url.password);
  }
  delete config.global.pprof;
  delete config.global.metrics;
  config.archival = { history: { state: 'disabled' }, visibility: { state: 'disabled' } };
  delete config.namespaceDefaults;
  for (const [name, service] of Object.entries(config.services) as [string, { rpc: Record<string, unknown> }][]) {
    service.rpc.grpcPort = name === 'frontend' ? opts.port : await freePort();
    // Temporal keeps the membership port in a PostgreSQL smallint: freePort's are below 32768.
    service.rpc.membershipPort = await freePort();
    if ('httpPort' in service.rpc) service.rpc.httpPort = await freePort();
  }
  config.clusterMetadata.clusterInformation.active.rpcAddress = `127.0.0.1:${opts.port}`;
  config.dynamicConfigClient = { filepath: opts.install.dynamicConfig, pollInterval: '10s' };
  await mkdir(configDir, { recursive: true });
  await writeFile(path.join(configDir, 'development.yaml'), YAML.stringify(config));
}

/**
 * Waits for the frontend to answer, creates the namespace if missing, and waits until a workflow
 * list in it answers: a new namespace reaches the other services only at their next cache refresh.
 */
async function ensureNamespace(address: string, namespace: string, deadline: number): Promise<void> {
  let lastError: unknown;
  while (Date.now() < deadline) {
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address, connectTimeout: 2_000 });
      const service = connection.workflowService;
      try {
        await service.describeNamespace({ namespace });
      } catch {
        await service
          .registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(RETENTION_SECONDS * 1000) })
          .catch((e: { code?: number }) => {
            if (e.code !== 6) throw e; // 6: ALREADY_EXISTS
          });
      }
      await service.listWorkflowExecutions({ namespace, pageSize: 1 });
      return;
    } catch (e) {
      lastError = e;
      await new Promise((r) => setTimeout(r, 1_000));
    } finally {
      await connection?.close();
    }
  }
  throw new Error(`the Temporal server at ${address} was not ready in time: ${(lastError as Error)?.message ?? 'no answer'}`);
}

import { rm } from 'node:fs/promises';
import path from 'node:path';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../../lib/db/embedded.js';
import { freePort } from '../../lib/net.js';
import { startTemporalOnPostgres, type TemporalServerProcess } from '../../lib/temporal/postgres-server.js';
import { resolveTemporalServer } from '../../lib/tools/provision.js';
import { embeddedSettings } from './embedded.js';
import { startMailbox } from './mailbox.js';
import { roleEnv } from './role-process.js';

/** What a host runs Tandem's roles on: PostgreSQL, the Temporal server on it, and an SMTP server. */
export interface HostedStack {
  dataDir: string;
  pg: EmbeddedDatabase;
  temporal: TemporalServerProcess;
  mailbox: Awaited<ReturnType<typeof startMailbox>>;
  /** The settings every role takes (database, Temporal, SMTP, task queue, secret); the database is not migrated yet. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * A hosted stack of a test file's own: an embedded PostgreSQL with Tandem's database, the Temporal
 * server (not the dev server) keeping its state in the same PostgreSQL, and an SMTP capture.
 */
export async function startHostedStack(name: string): Promise<HostedStack> {
  const dataDir = (await embeddedSettings(`tandem-${name}-`)).DATA_DIR as string;
  // What has started so far, stopped in reverse if a later part fails to start: nothing is left running.
  const started: (() => Promise<unknown>)[] = [() => rm(dataDir, { recursive: true, force: true })];
  const stop = async () => {
    for (const part of started.splice(0).reverse()) await part();
  };
  try {
    const install = await resolveTemporalServer(path.resolve('.tools'), (m) => console.log(`[${name} test] ${m}`));
    const pg = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'postgres'), port: await freePort(), database: 'tandem' });
    started.push(() => pg.stop());
    const temporal = await startTemporalOnPostgres({
      install,
      postgresUrl: pg.url,
      stateDir: path.join(dataDir, 'temporal-server'),
      port: await freePort(),
      namespace: 'default',
    });
    started.push(() => temporal.stop());
    const mailbox = await startMailbox();
    started.push(() => mailbox.stop());
    return {
      dataDir,
      pg,
      temporal,
      mailbox,
      env: roleEnv(name, { database: pg.url, temporal: temporal.address, smtp: mailbox.url }),
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

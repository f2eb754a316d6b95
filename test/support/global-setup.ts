import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../lib/config.js';
import { startEmbeddedPostgres } from '../../lib/db/embedded.js';
import { migrate } from '../../lib/db/migrate.js';
import { freePort } from '../../lib/net.js';
import { resolveTemporalCli, resolveTestServer } from '../../lib/tools/provision.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the shared test PostgreSQL, database `postgres`. */
    pgAdminUrl: string;
    /** A migrated database that each test file clones (CREATE DATABASE … TEMPLATE). */
    templateDatabase: string;
    temporalCliPath: string;
    testServerPath: string;
  }
}

/** One real PostgreSQL and the Temporal binaries for the whole run; provisions what is missing. */
export default async function setup(project: TestProject) {
  const config = loadConfig();
  const say = (m: string) => console.log(`[test setup] ${m}`);
  const cli = await resolveTemporalCli(config.toolsDir, config.TEMPORAL_CLI_PATH, say);
  const testServer = await resolveTestServer(config.toolsDir, config.TEMPORAL_TEST_SERVER_PATH, say);

  const dir = await mkdtemp(path.join(os.tmpdir(), 'tandem-test-pg-'));
  const pg = await startEmbeddedPostgres({ dataDir: dir, port: await freePort(), database: 'tandem_template' });
  await migrate(pg.url);
  const admin = new URL(pg.url);
  admin.pathname = '/postgres';

  project.provide('pgAdminUrl', admin.toString());
  project.provide('templateDatabase', 'tandem_template');
  project.provide('temporalCliPath', cli.path);
  project.provide('testServerPath', testServer.path);

  return async () => {
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
  };
}

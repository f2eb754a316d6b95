import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../lib/db/embedded.js';
import { migrate } from '../lib/db/migrate.js';
import { freePort } from '../lib/net.js';

export const say = (m: string) => console.log(`[bench] ${m}`);

/** A migrated embedded PostgreSQL in a scratch directory, for one benchmark run; removed afterwards. */
export async function withBenchDatabase(run: (url: string, scratchDir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tandem-bench-'));
  // PostgreSQL runs as its own user, which must reach its data directory.
  await chmod(dir, 0o755);
  const database = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort(), database: 'bench' });
  try {
    await migrate(database.url);
    await run(database.url, dir);
  } finally {
    await database.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

// `npm run db:migrate`: applies pending migrations to DATABASE_URL, or to the embedded database.
import path from 'node:path';
import { ConfigError, loadConfig } from '../lib/config.js';
import { startEmbeddedPostgres } from '../lib/db/embedded.js';
import { migrate } from '../lib/db/migrate.js';

const say = (m: string) => console.log(`[db:migrate] ${m}`);
try {
  const config = loadConfig();
  const embedded = config.DATABASE_URL
    ? undefined
    : await startEmbeddedPostgres({
        dataDir: path.join(config.dataDir, 'postgres'),
        port: config.EMBEDDED_POSTGRES_PORT,
        database: 'tandem',
      });
  try {
    const url = config.DATABASE_URL ?? embedded?.url ?? '';
    say(`migrating ${url.replace(/:[^:@/]+@/, ':***@')}`);
    const result = await migrate(url, { progress: say });
    say(`${result.applied.length} applied now, ${result.alreadyApplied} already applied`);
  } finally {
    await embedded?.stop();
  }
} catch (e) {
  console.error(e instanceof ConfigError ? e.message : `[db:migrate] failed: ${(e as Error).message}`);
  process.exit(e instanceof ConfigError ? 2 : 1);
}

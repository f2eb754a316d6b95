// `npm run db:migrate`: applies pending migrations to DATABASE_URL, or to the embedded database.
import { loadConfig } from '../lib/config.js';
import { migrate } from '../lib/db/migrate.js';
import { startEmbeddedPostgres } from '../lib/db/embedded.js';
import path from 'node:path';

const config = loadConfig();
const say = (m: string) => console.log(`[db:migrate] ${m}`);
const embedded = config.DATABASE_URL
  ? undefined
  : await startEmbeddedPostgres({ dataDir: path.join(config.dataDir, 'postgres'), port: config.EMBEDDED_POSTGRES_PORT, database: 'tandem' });
try {
  const result = await migrate(config.DATABASE_URL ?? embedded!.url, { progress: say });
  say(`${result.applied.length} applied, ${result.alreadyApplied} already applied`);
} finally {
  await embedded?.stop();
}

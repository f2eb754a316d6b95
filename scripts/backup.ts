// `npm run backup -- --to DIR`: an online backup of the embedded system (boot/backup.ts).
import { parseArgs } from 'node:util';
import { backupEmbedded } from '../boot/backup.js';
import { ConfigError, loadConfig } from '../lib/config.js';

const USAGE = 'usage: npm run backup -- --to DIR   (Tandem running with TEMPORAL_SERVER=postgres)';
const say = (m: string) => console.log(`[backup] ${m}`);
try {
  const { values } = parseArgs({ options: { to: { type: 'string' } } });
  if (!values.to) throw new ConfigError(`--to is required\n${USAGE}`);
  const done = await backupEmbedded(loadConfig(), values.to, say);
  say(
    `done: ${done.dir} (consistent at ${done.consistentAt.toISOString()}); restore with DATA_DIR=${done.dir} TEMPORAL_SERVER=postgres npm start`,
  );
} catch (e) {
  const usage = e instanceof ConfigError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  console.error(usage ? (e as Error).message : `[backup] failed: ${(e as Error).message}`);
  process.exit(usage ? 2 : 1);
}

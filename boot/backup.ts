import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Config, ConfigError } from '../lib/config.js';
import { takeBaseBackup } from '../lib/db/base-backup.js';
import { embeddedSuperuserUrl } from '../lib/db/embedded.js';

/** The files of the data directory besides the databases that a restored Tandem needs to be the same. */
const KEPT = ['auth-secret', 'admin-api-key'];

/**
 * `npm run backup -- --to DIR`: an online backup of the embedded system (`npm start` with
 * TEMPORAL_SERVER=postgres) into DIR, laid out as a data directory of its own: its PostgreSQL cluster,
 * which holds Tandem's database and Temporal's, copied at one instant, and the secret that signs
 * sessions and links. Restoring is starting Tandem on it (`DATA_DIR=DIR TEMPORAL_SERVER=postgres npm start`).
 */
export async function backupEmbedded(config: Config, to: string, say: (m: string) => void) {
  if (config.DATABASE_URL) {
    throw new ConfigError(
      'backup copies the embedded PostgreSQL of `npm start`; with DATABASE_URL, back up your server with pg_basebackup (README, "Backup and restore")',
    );
  }
  if (config.TEMPORAL_SERVER !== 'postgres') {
    throw new ConfigError(
      "backup needs TEMPORAL_SERVER=postgres: on the dev server, Temporal's state is a SQLite file that cannot be copied at the same instant as the database. Stop Tandem and copy DATA_DIR instead",
    );
  }
  const target = path.resolve(to);
  if (existsSync(target) && (await readdir(target)).length > 0)
    throw new ConfigError(`--to ${target} is not empty: back up into a new directory`);
  const created = !existsSync(target);
  await mkdir(target, { recursive: true, mode: 0o755 });
  const started = new Date();
  // A backup that fails leaves nothing behind that could be mistaken for one.
  const result = await takeBaseBackup({
    url: embeddedSuperuserUrl(config.EMBEDDED_POSTGRES_PORT),
    dataDir: path.join(config.dataDir, 'postgres'),
    to: path.join(target, 'postgres'),
    progress: say,
  }).catch(async (e: Error & { code?: string }) => {
    if (created) await rm(target, { recursive: true, force: true });
    else for (const name of await readdir(target)) await rm(path.join(target, name), { recursive: true, force: true });
    if (e.code === 'ECONNREFUSED') {
      throw new ConfigError(
        `no PostgreSQL answers on port ${config.EMBEDDED_POSTGRES_PORT}: start Tandem first (a backup is taken while it runs), or, with Tandem stopped, copy ${config.dataDir} as it is`,
      );
    }
    throw e;
  });
  for (const name of KEPT) {
    const file = path.join(config.dataDir, name);
    if (existsSync(file)) await copyFile(file, path.join(target, name));
  }
  const manifest = {
    startedAt: started.toISOString(),
    consistentAt: result.consistentAt.toISOString(),
    wal: [result.startLsn, result.stopLsn],
  };
  await writeFile(path.join(target, 'backup.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { dir: target, ...result };
}

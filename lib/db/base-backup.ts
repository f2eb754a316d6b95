import { copyFile, lchown, lstat, mkdir, readdir, readlink, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';

/** What a data directory holds that a backup must not: the running server's own state, rebuilt on start. */
const SKIPPED = new Set(['postmaster.pid', 'postmaster.opts', 'backup_label', 'tablespace_map']);
/** Directories whose contents are the running server's and are left empty in the copy. */
const EMPTIED = new Set(['pg_wal', 'pg_replslot', 'pg_stat_tmp', 'pg_dynshmem', 'pg_notify', 'pg_serial', 'pg_snapshots', 'pg_subtrans']);

export interface BaseBackupResult {
  /** When the backup's snapshot was consistent (the moment a restore comes back to). */
  consistentAt: Date;
  startLsn: string;
  stopLsn: string;
  files: number;
  bytes: number;
}

/**
 * An online copy of a whole PostgreSQL cluster, by its low-level backup API (pg_backup_start,
 * pg_backup_stop) and a file copy, as `pg_basebackup -X fetch` makes one: every database of the
 * cluster (Tandem's, and Temporal's when it runs on the same server) at one instant, so that what
 * Tandem recorded and what Temporal remembers agree when it is restored. Restoring is starting
 * PostgreSQL on the copy: it replays the WAL taken with it to the point the backup ended.
 *
 * Hand-written because PostgreSQL's own pg_basebackup is not among the embedded server's binaries,
 * and a client older than the server (Debian's) refuses to back it up. `url` must be a superuser's
 * (or a role with pg_backup_start rights) on the server whose data directory is `dataDir`, readable here.
 */
export async function takeBaseBackup(opts: {
  url: string;
  dataDir: string;
  to: string;
  progress?: (message: string) => void;
}): Promise<BaseBackupResult> {
  const client = new pg.Client({ connectionString: opts.url });
  await client.connect();
  const counts = { files: 0, bytes: 0 };
  try {
    // Non-exclusive: the session that starts the backup must end it; a fast checkpoint starts at once.
    const start = await client.query<{ lsn: string }>(`SELECT pg_backup_start('tandem backup', true)::text AS lsn`);
    opts.progress?.(`backup started at WAL ${start.rows[0]?.lsn}; copying ${opts.dataDir}`);
    await copyTree(opts.dataDir, opts.to, '', counts, opts.progress);
    const stop = await client.query<{ lsn: string; labelfile: string; spcmapfile: string | null }>(
      `SELECT lsn::text AS lsn, labelfile, spcmapfile FROM pg_backup_stop(false)`,
    );
    const row = stop.rows[0];
    if (!row) throw new Error('pg_backup_stop returned nothing');
    const consistentAt = new Date();
    // Owned like the rest: PostgreSQL opens them for writing when it renames them at the end of recovery.
    const owner = await lstat(opts.dataDir);
    for (const [name, content] of [
      ['backup_label', row.labelfile],
      ['tablespace_map', row.spcmapfile],
    ] as const) {
      if (!content) continue;
      await writeFile(path.join(opts.to, name), content, { mode: 0o600 });
      await keepOwner(path.join(opts.to, name), owner);
    }
    // The WAL from the backup's start to its end (pg_backup_stop wrote its end record): what recovery
    // replays to make the copied files consistent. Taken after the stop, so that it holds that record.
    await client.query('SELECT pg_switch_wal()');
    const wal = path.join(opts.dataDir, 'pg_wal');
    for (const name of await readdir(wal)) {
      if (!/^[0-9A-F]{24}$/.test(name)) continue;
      await copyOne(path.join(wal, name), path.join(opts.to, 'pg_wal', name), counts);
    }
    opts.progress?.(`backup ended at WAL ${row.lsn}: ${counts.files} files, ${(counts.bytes / 2 ** 20).toFixed(1)} MiB`);
    return { consistentAt, startLsn: start.rows[0]?.lsn ?? '', stopLsn: row.lsn, ...counts };
  } finally {
    await client.end();
  }
}

/** Copies `from` into `to`, keeping each file's owner and mode (PostgreSQL insists on both). */
async function copyTree(
  from: string,
  to: string,
  rel: string,
  counts: { files: number; bytes: number },
  progress?: (message: string) => void,
): Promise<void> {
  const src = path.join(from, rel);
  const st = await lstat(src);
  await mkdir(path.join(to, rel), { mode: st.mode & 0o7777 });
  await keepOwner(path.join(to, rel), st);
  if (EMPTIED.has(rel)) return;
  for (const entry of await readdir(src, { withFileTypes: true })) {
    const child = path.join(rel, entry.name);
    if (rel === '' && (SKIPPED.has(entry.name) || entry.name.startsWith('.s.PGSQL.'))) continue;
    // Sockets (the server's Unix socket lives in the data directory here) and such are not data.
    if (entry.isDirectory()) await copyTree(from, to, child, counts, progress);
    else if (entry.isSymbolicLink()) await symlink(await readlink(path.join(from, child)), path.join(to, child));
    else if (entry.isFile()) {
      try {
        await copyOne(path.join(from, child), path.join(to, child), counts);
      } catch (e) {
        // A file the server removed while it was being copied (a dropped table's, a temporary one): the WAL replays its removal.
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      if (counts.files % 500 === 0) progress?.(`  ${counts.files} files, ${(counts.bytes / 2 ** 20).toFixed(0)} MiB`);
    }
  }
}

async function copyOne(src: string, dest: string, counts: { files: number; bytes: number }) {
  await copyFile(src, dest);
  const st = await lstat(src);
  await keepOwner(dest, st);
  counts.files++;
  counts.bytes += st.size;
}

async function keepOwner(file: string, st: { uid: number; gid: number }) {
  if (process.getuid?.() === 0) await lchown(file, st.uid, st.gid);
}

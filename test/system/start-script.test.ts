import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findApiKey } from '../../lib/auth/api-keys.js';
import { createTestDatabase } from '../support/database.js';

const root = path.resolve(import.meta.dirname, '../..');

describe('npm start with a bad environment', () => {
  it.each([
    ['DATABASE_URL', 'nonsense'],
    ['TEMPORAL_ADDRESS', 'not an address'],
    ['SMTP_URL', 'mail.example.org'],
  ])('stops at once with one line naming %s', (name, value) => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
      cwd: root,
      env: { ...process.env, [name]: value },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Invalid configuration: ${name} must be .* \\(got "${value}"\\)$`));
  });
});

describe('npm start on a taken port', () => {
  it('stops at once naming the port, before starting anything', async () => {
    const other = net.createServer();
    await new Promise<void>((r) => other.listen(0, () => r()));
    const { port } = other.address() as net.AddressInfo;
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tandem-taken-'));
    try {
      const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
        cwd: root,
        env: { ...process.env, DATA_DIR: dataDir, PORT: String(port) },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(run.status).toBe(1);
      expect(run.stderr.trim()).toBe(`[tandem] could not start: port ${port} is already in use; stop what listens there or set PORT`);
      // Nothing was started: no database, no Temporal state, no mail directory.
      expect(await readdir(dataDir)).toEqual([]);
    } finally {
      other.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('the production entry point (scripts/tandem.ts)', () => {
  const tandem = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'scripts/tandem.ts', ...args], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: '', TEMPORAL_ADDRESS: '', SMTP_URL: '', AUTH_SECRET: '', ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });

  it('names every variable a role is missing, in one line, and starts nothing', () => {
    const run = tandem(['worker'], { DATABASE_URL: 'postgresql://u:p@db.internal:5432/tandem' });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim()).toBe(
      'Invalid configuration: the worker role needs TEMPORAL_ADDRESS, SMTP_URL, AUTH_SECRET (nothing is embedded in production)',
    );
  });

  it('creates an API key that fits its role, and refuses one that does not, writing nothing', async () => {
    const database = await createTestDatabase();
    try {
      const env = { DATABASE_URL: database.url };
      const unscoped = tandem(['api-key', '--name', 'cohort lead', '--role', 'coordinator'], env);
      expect([unscoped.status, unscoped.stdout, unscoped.stderr.trim()]).toEqual([
        2,
        '',
        'The API key is invalid: cohortId: is required for the coordinator role',
      ]);
      const incomplete = tandem(['api-key', '--role', 'admin'], env);
      expect(incomplete.status).toBe(2);
      expect(incomplete.stderr).toMatch(/^--name and --role are required\nusage: tandem/);
      expect(await database.db.apiKey.count()).toBe(0);

      const made = tandem(['api-key', '--name', 'ops', '--role', 'admin'], env);
      expect(made.status, made.stderr).toBe(0);
      const secret = made.stdout.trim();
      expect((await findApiKey(database.db, secret))?.name).toBe('ops');
    } finally {
      await database.drop();
    }
  });

  it.each([[[]], [['web']]])('refuses %j with its usage', (args) => {
    const run = tandem(args);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/usage: tandem api\|worker\|migrate/);
  });
});

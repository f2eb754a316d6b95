import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

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

describe('the production entry point (scripts/tandem.ts)', () => {
  const tandem = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'scripts/tandem.ts', ...args], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: '', TEMPORAL_ADDRESS: '', SMTP_URL: '', ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });

  it('names every variable a role is missing, in one line, and starts nothing', () => {
    const run = tandem(['worker'], { DATABASE_URL: 'postgresql://u:p@db.internal:5432/tandem' });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim()).toBe(
      'Invalid configuration: the worker role needs TEMPORAL_ADDRESS, SMTP_URL (nothing is embedded in production)',
    );
  });

  it.each([[[]], [['web']]])('refuses %j with its usage', (args) => {
    const run = tandem(args);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/usage: tandem api\|worker\|migrate/);
  });
});

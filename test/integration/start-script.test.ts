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

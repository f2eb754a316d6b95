import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * `npm run test:fast`: the tests that need no server (no PostgreSQL, no Temporal, no SMTP, no
 * browser), named *.unit.test.ts in each domain's folder: the rules as units, the mail as rendered,
 * the workflows' histories replayed. No global setup; files run side by side. `npm test` runs these
 * and everything else, on the real stack.
 */
export default defineConfig({
  test: {
    include: ['test/**/*.unit.test.ts'],
    setupFiles: ['test/support/setup-file.ts'],
    pool: 'forks',
    // One file a core: Vitest's default leaves a core free, which on a 2-core machine runs the files
    // one after another: 29.7 s of wall time here, 19.3 s with both cores (quiet machine, 2026-12-06).
    maxWorkers: availableParallelism(),
    testTimeout: 60_000,
    env: { TZ: 'UTC' },
  },
});

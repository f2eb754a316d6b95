import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/setup-file.ts'],
    // Temporal's native worker does not run in worker threads; each file gets its own process.
    pool: 'forks',
    // Two cores: files that start Temporal servers run one after another.
    fileParallelism: false,
    // Limits only catch a hang: a test waits for conditions, and must pass on a busy machine.
    testTimeout: 900_000,
    hookTimeout: 900_000,
    env: { TZ: 'UTC' },
  },
});

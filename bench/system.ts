import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type RunningSystem, startSystem } from '../boot/system.js';
import { loadConfig } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import { freePort } from '../lib/net.js';
import { say } from './database.js';

/**
 * The whole system as `npm start` runs it (embedded PostgreSQL, the Temporal server that
 * TEMPORAL_SERVER names, the real worker and API, local mail capture) in a scratch directory on free
 * ports, for one benchmark run; stopped and removed afterwards.
 */
export async function withBenchSystem(run: (system: RunningSystem, scratchDir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tandem-bench-system-'));
  // PostgreSQL runs as its own user, which must reach its data directory.
  await chmod(dir, 0o755);
  const env = {
    ...process.env,
    DATA_DIR: dir,
    LOG_LEVEL: 'warn',
    PORT: String(await freePort()),
    EMBEDDED_POSTGRES_PORT: String(await freePort()),
    TEMPORAL_DEV_SERVER_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    SMTP_CAPTURE_PORT: String(await freePort()),
    WORKER_HEALTH_PORT: String(await freePort()),
  };
  const config = loadConfig(env);
  say(
    `Temporal: ${config.TEMPORAL_ADDRESS ?? `the embedded ${config.TEMPORAL_SERVER === 'postgres' ? 'server on PostgreSQL' : 'dev server'}`}`,
  );
  const system = await startSystem(config, createLogger('warn', 'bench'), (m) => say(m));
  try {
    await run(system, dir);
  } finally {
    await system.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

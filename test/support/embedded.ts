import { chmod, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { freePort } from '../../lib/net.js';

/**
 * The settings of a whole embedded system (`npm start`'s defaults) of a test's own: a scratch data
 * directory and free ports, so that it runs beside the rest of the suite.
 */
export async function embeddedSettings(prefix: string): Promise<Record<string, string>> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), prefix));
  // PostgreSQL runs as the postgres user when the tests run as root.
  await chmod(dataDir, 0o755);
  return {
    DATA_DIR: dataDir,
    PORT: String(await freePort()),
    EMBEDDED_POSTGRES_PORT: String(await freePort()),
    TEMPORAL_DEV_SERVER_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    SMTP_CAPTURE_PORT: String(await freePort()),
    TEMPORAL_CLI_PATH: inject('temporalCliPath'),
  };
}

import path from 'node:path';
import { inject } from 'vitest';
import { freePort } from '../../lib/net.js';
import { type DevServer, startDevServer } from '../../lib/temporal/dev-server.js';

/** A real Temporal dev server of the test's own, on a free port, keeping its state in `dir`. */
export async function startTestDevServer(dir: string): Promise<DevServer> {
  return startDevServer({
    cliPath: inject('temporalCliPath'),
    port: await freePort(),
    uiPort: null,
    dbFile: path.join(dir, 'temporal.db'),
    logFile: path.join(dir, 'temporal.log'),
    namespace: 'default',
  });
}

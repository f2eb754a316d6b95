import path from 'node:path';
import { inject } from 'vitest';
import { freePort } from '../../lib/net.js';
import { type DevServer, startDevServer } from '../../lib/temporal/dev-server.js';

/**
 * A real Temporal dev server of the test's own, on a free port (or `port`, to start it again), keeping
 * its state in `dir`. A free port can be taken by another process before the server binds it; then it
 * is started again on another.
 */
export async function startTestDevServer(dir: string, port?: number): Promise<DevServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startDevServer({
        cliPath: inject('temporalCliPath'),
        port: port ?? (await freePort()),
        uiPort: null,
        dbFile: path.join(dir, 'temporal.db'),
        logFile: path.join(dir, 'temporal.log'),
        namespace: 'default',
      });
    } catch (e) {
      if (port !== undefined || attempt >= 3 || !/already in use/.test((e as Error).message)) throw e;
    }
  }
}

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
      const server = await startDevServer({
        cliPath: inject('temporalCliPath'),
        port: port ?? (await freePort()),
        uiPort: null,
        dbFile: path.join(dir, 'temporal.db'),
        logFile: path.join(dir, 'temporal.log'),
        namespace: 'default',
      });
      // Once seen in CI: a server that had opened its port was gone a moment later (connection refused
      // for the whole file). One that does not outlive its first second is started again.
      await new Promise((r) => setTimeout(r, 1000));
      if (server.alive() || attempt >= 3) return server;
    } catch (e) {
      if (port !== undefined || attempt >= 3 || !/already in use/.test((e as Error).message)) throw e;
    }
  }
}

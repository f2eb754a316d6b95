import type { Server } from 'node:http';
import type { Express } from 'express';

export interface HttpServer {
  port: number;
  draining: () => boolean;
  /**
   * Stops accepting connections at once, lets requests in flight finish for up to `graceMs`, then
   * cuts what is left. Safe to call twice.
   */
  close(graceMs: number): Promise<void>;
}

/** `makeApp` receives the draining flag so that `/ready` can turn 503 the moment shutdown begins. */
export async function listen(makeApp: (draining: () => boolean) => Express, port: number): Promise<HttpServer> {
  let isDraining = false;
  const draining = () => isDraining;
  const app = makeApp(draining);
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(port, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  let closed: Promise<void> | undefined;
  return {
    port: typeof address === 'object' && address ? address.port : port,
    draining,
    close(graceMs) {
      closed ??= new Promise<void>((resolve) => {
        isDraining = true;
        const cut = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearTimeout(cut);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closed;
    },
  };
}

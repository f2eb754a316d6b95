import http, { type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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

/**
 * Opens `port` at once, answering every request with `meanwhile` until `listen` gives it the app.
 * A start whose port is taken then fails in its first second, with a message that says so, and no
 * server started meanwhile (the Temporal dev server picks free ports of its own) can take the port.
 */
export async function holdPort(port: number, meanwhile: RequestListener, setting = 'PORT'): Promise<Server> {
  const server = http.createServer(meanwhile);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'EADDRINUSE' ? new Error(`port ${port} is already in use; stop what listens there or set ${setting}`) : e),
    );
    server.listen(port, () => resolve());
  });
  return server;
}

/** Closes a port `holdPort` opened, if `listen` did not take it over and close it since (a start that failed). */
export function releasePort(server: Server): Promise<void> {
  return new Promise((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
}

/**
 * Serves the app on `at`: a port, or a server `holdPort` opened. `makeApp` receives the draining
 * flag so that `/ready` can turn 503 the moment shutdown begins.
 */
export async function listen(makeApp: (draining: () => boolean) => Express, at: number | Server, setting?: string): Promise<HttpServer> {
  let isDraining = false;
  const draining = () => isDraining;
  const app = makeApp(draining);
  // Not app.listen: Express 5 calls its callback on 'error' too, so a taken port looked like a start.
  const server = typeof at === 'number' ? await holdPort(at, app, setting) : at;
  server.removeAllListeners('request');
  server.on('request', app);
  let closed: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
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

import net from 'node:net';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { holdPort, listen } from '../../lib/http-server.js';

describe('the HTTP server at start', () => {
  it('refuses a port something else listens on, naming it and the setting, instead of starting beside it', async () => {
    const other = net.createServer();
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', () => r()));
    const { port } = other.address() as net.AddressInfo;
    try {
      await expect(listen(() => express(), port)).rejects.toThrow(`port ${port} is already in use; stop what listens there or set PORT`);
      await expect(listen(() => express(), port, 'WORKER_HEALTH_PORT')).rejects.toThrow(/set WORKER_HEALTH_PORT$/);
    } finally {
      other.close();
    }
  });

  it('holds its port from the first moment, answers meanwhile, then serves the app on it', async () => {
    const held = await holdPort(0, (_req, res) => {
      res.writeHead(503).end('starting');
    });
    const { port } = held.address() as net.AddressInfo;
    const url = `http://localhost:${port}/hello`;
    const meanwhile = await fetch(url);
    expect([meanwhile.status, await meanwhile.text()]).toEqual([503, 'starting']);
    const server = await listen(() => express().get('/hello', (_req, res) => void res.send('hello')), held);
    expect(server.port).toBe(port);
    const served = await fetch(url);
    expect([served.status, await served.text()]).toEqual([200, 'hello']);
    await server.close(1000);
  });
});

describe('the HTTP server on shutdown', () => {
  it('turns /ready to 503 and refuses new connections at once, and lets a request in flight finish', async () => {
    let release: () => void = () => {};
    const server = await listen(
      (draining) =>
        express()
          .get('/ready', (_req, res) => {
            res.status(draining() ? 503 : 200).end();
          })
          .get('/slow', async (_req, res) => {
            await new Promise<void>((r) => {
              release = r;
            });
            res.json({ finished: true });
          }),
      0,
    );
    const url = `http://localhost:${server.port}`;
    expect((await fetch(`${url}/ready`)).status).toBe(200);
    const slow = fetch(`${url}/slow`);
    await new Promise((r) => setTimeout(r, 100));

    const closed = server.close(10_000);
    expect(server.draining()).toBe(true);
    await expect(fetch(`${url}/ready`)).rejects.toThrow();
    release();
    const res = await slow;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ finished: true });
    await closed;
  });

  it('cuts a request that outlives the grace period', async () => {
    const server = await listen(() => express().get('/stuck', () => {}), 0);
    const stuck = fetch(`http://localhost:${server.port}/stuck`);
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await server.close(300);
    expect(Date.now() - started).toBeLessThan(5_000);
    await expect(stuck).rejects.toThrow();
  });
});

import express from 'express';
import { describe, expect, it } from 'vitest';
import { listen } from '../../lib/http-server.js';

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

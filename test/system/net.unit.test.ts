import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../lib/net.js';

describe('freePort', () => {
  // A test picks its servers' ports first and starts them one by one; a port picked for the last of
  // them must not be handed to a server started before it (a Temporal server started between the
  // mail capture's pick and its bind could take the capture's port: EADDRINUSE, as seen once in CI).
  it('never hands out a port twice in one process, even to picks made at the same moment', async () => {
    // 500 random picks among 12,000 ports repeat one almost surely (1 - e^-10) unless it is prevented.
    const ports = [...(await Promise.all(Array.from({ length: 250 }, () => freePort())))];
    for (let i = 0; i < 250; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
    expect(ports.every((p) => p >= 20_000 && p < 32_000)).toBe(true);
  });

  it('hands out a port a server can then bind', async () => {
    const port = await freePort();
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
    expect((server.address() as net.AddressInfo).port).toBe(port);
    await new Promise((resolve) => server.close(resolve));
  });
});

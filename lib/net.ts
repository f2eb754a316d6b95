import net from 'node:net';

/**
 * A TCP port that was free a moment ago on loopback, for a server started next (tests, benchmarks,
 * the Temporal server's inner services). Picked at random between 20000 and 32000, below the
 * system's ephemeral range (32768-60999 here, /proc/sys/net/ipv4/ip_local_port_range): a port the
 * system picks for `listen(0)` comes from that range, which every outgoing connection draws its
 * local port from too, so on a busy machine one would take it before the server bound it ("bind:
 * address already in use" from a Temporal server, once two test suites ran side by side). Below it,
 * only another picker like this one could, and it picks at random among 12,000.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const candidate = 20_000 + Math.floor(Math.random() * 12_000);
    if (handedOut.has(candidate)) continue;
    // Claimed before the check's await, so that two picks at once cannot both return it.
    handedOut.add(candidate);
    if (await isFree(candidate)) return candidate;
    handedOut.delete(candidate);
  }
  throw new Error('no free port between 20000 and 32000');
}

/**
 * The ports this process has handed out, never handed out again: a server is often started seconds
 * after its port was picked (a test picks the mail capture's port, then starts a Temporal server that
 * picks ten of its own before the capture binds), and its port is free until then.
 */
const handedOut = new Set<number>();

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

export function canConnect(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

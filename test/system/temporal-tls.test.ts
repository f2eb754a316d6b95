import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.js';
import { connectClient, connectWorker, temporalConnectionOptions } from '../../lib/temporal/connection.js';
import type { DevServer } from '../../lib/temporal/dev-server.js';
import { makeCertificates } from '../support/certificates.js';
import { startTestDevServer } from '../support/dev-server.js';

/**
 * Temporal Cloud cannot be reached from here, and the dev server speaks neither TLS nor API keys. So
 * the dev server sits behind a gRPC proxy that does what a secured frontend does: TLS with a server
 * certificate of its own CA, a required client certificate (mTLS), and an `authorization: Bearer`
 * API key on every call. The client (API) and the native connection (worker) both go through it.
 */

const SERVER_NAME = 'temporal.tandem.test';
const API_KEY = 'tandem-test-key';

/** A TLS-terminating gRPC proxy in front of a plain frontend; it remembers what it let through. */
async function startSecuredFrontend(dir: string, upstream: string) {
  const seen: { path: string; authorization: string | undefined }[] = [];
  const target = http2.connect(`http://${upstream}`);
  const server = http2.createSecureServer({
    key: await readFile(path.join(dir, 'server.key')),
    cert: await readFile(path.join(dir, 'server.pem')),
    ca: await readFile(path.join(dir, 'ca.pem')),
    requestCert: true,
    rejectUnauthorized: true,
  });
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  server.on('stream', (stream, headers) => {
    const authorization = headers.authorization as string | undefined;
    seen.push({ path: String(headers[':path']), authorization });
    if (authorization !== `Bearer ${API_KEY}`) {
      stream.respond(
        { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '16', 'grpc-message': 'bad API key' },
        { endStream: true },
      );
      return;
    }
    const forwarded = Object.fromEntries(Object.entries(headers).filter(([k]) => !k.startsWith(':') || k === ':method' || k === ':path'));
    const call = target.request(forwarded);
    stream.pipe(call);
    let trailers: http2.OutgoingHttpHeaders = { 'grpc-status': '0' };
    call.on('trailers', (t) => {
      trailers = t;
    });
    call.on('response', (response) => {
      if (response['grpc-status'] !== undefined) {
        stream.respond(response, { endStream: true });
        return;
      }
      stream.respond(response, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers(trailers));
      call.pipe(stream);
    });
    call.on('error', () => stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR));
    stream.on('error', () => call.close(http2.constants.NGHTTP2_CANCEL));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    async stop() {
      target.destroy();
      for (const session of sessions) session.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('connecting to a secured Temporal frontend (TLS, mTLS, API key)', () => {
  let dir: string;
  let dev: DevServer;
  let frontend: Awaited<ReturnType<typeof startSecuredFrontend>>;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tandem-tls-'));
    await chmod(dir, 0o755);
    await makeCertificates(dir, {
      server: `subjectAltName=DNS:${SERVER_NAME}\nextendedKeyUsage=serverAuth`,
      client: 'extendedKeyUsage=clientAuth',
    });
    dev = await startTestDevServer(dir);
    frontend = await startSecuredFrontend(dir, dev.address);
  });

  afterAll(async () => {
    await frontend?.stop();
    await dev?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const settings = (env: Record<string, string>) =>
    temporalConnectionOptions(
      frontend.address,
      loadConfig({
        TEMPORAL_TLS_CA_PATH: path.join(dir, 'ca.pem'),
        TEMPORAL_TLS_SERVER_NAME: SERVER_NAME,
        TEMPORAL_TLS_CERT_PATH: path.join(dir, 'client.pem'),
        TEMPORAL_TLS_KEY_PATH: path.join(dir, 'client.key'),
        TEMPORAL_API_KEY: API_KEY,
        ...env,
      }),
    );

  it('the API client and the worker connection both get through with the configured credentials', async () => {
    const options = settings({});
    const client = await connectClient(options);
    try {
      const { namespaceInfo } = await client.workflowService.describeNamespace({ namespace: 'default' });
      expect(namespaceInfo?.name).toBe('default');
    } finally {
      await client.close();
    }
    const before = frontend.seen.length;
    const worker = await connectWorker(options);
    try {
      const { namespaceInfo } = await worker.workflowService.describeNamespace({ namespace: 'default' });
      expect(namespaceInfo?.name).toBe('default');
    } finally {
      await worker.close();
    }
    expect(frontend.seen.length).toBeGreaterThan(before);
    expect(new Set(frontend.seen.map((s) => s.authorization))).toEqual(new Set([`Bearer ${API_KEY}`]));
    expect(frontend.seen.map((s) => s.path)).toContain('/temporal.api.workflowservice.v1.WorkflowService/DescribeNamespace');
  });

  it('a wrong API key is refused', async () => {
    const options = settings({ TEMPORAL_API_KEY: 'not-the-key' });
    const attempt = async () => {
      const client = await connectClient(options);
      try {
        await client.workflowService.describeNamespace({ namespace: 'default' });
      } finally {
        await client.close();
      }
    };
    await expect(attempt()).rejects.toThrow();
    await expect(connectWorker(options)).rejects.toThrow();
    expect(frontend.seen.map((s) => s.authorization)).toContain('Bearer not-the-key');
  });

  it('without a client certificate the TLS handshake fails (so the certificate above was really presented)', async () => {
    const options = settings({ TEMPORAL_TLS_CERT_PATH: '', TEMPORAL_TLS_KEY_PATH: '' });
    expect(options.tls).toEqual({ serverNameOverride: SERVER_NAME, serverRootCACertificate: expect.any(Buffer) });
    await expect(connectWorker(options)).rejects.toThrow();
  });
});

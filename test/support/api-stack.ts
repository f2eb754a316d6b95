import { chmod, mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { DNSResolver } from 'mailauth';
import { afterAll, beforeAll, expect } from 'vitest';
import { startWebhookRelay } from '../../activities/webhooks/relay.js';
import { createHttpApp } from '../../boot/http.js';
import { createWorker } from '../../boot/worker.js';
import { type ReplyDeps, receiveReply } from '../../core/replies/receive.js';
import { createApiKey } from '../../lib/auth/api-keys.js';
import { AUTH_BASE_PATH, OIDC_PROVIDER_ID, type OidcSettings, type TandemAuth } from '../../lib/auth/better-auth.js';
import { createDb } from '../../lib/db/client.js';
import { startEmbeddedPostgres } from '../../lib/db/embedded.js';
import { migrate } from '../../lib/db/migrate.js';
import { type HttpServer, holdPort, listen, releasePort } from '../../lib/http-server.js';
import { createLogger } from '../../lib/logger.js';
import { startMailCapture } from '../../lib/mail/capture.js';
import { startInboundSmtp } from '../../lib/mail/inbound.js';
import { createMailer, type Mailer } from '../../lib/mail/mailer.js';
import { freePort } from '../../lib/net.js';
import { connectClient } from '../../lib/temporal/connection.js';
import type { DevServer } from '../../lib/temporal/dev-server.js';
import type { Post } from '../../lib/webhooks/post.js';
import { TEST_AUTH_SECRET, testAuth, testSealer, testTaskLinks } from './auth.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { startTestDevServer } from './dev-server.js';
import { waitFor } from './mailbox.js';

/** A member as POST /partnerships takes one. */
export interface MemberInput {
  name: string;
  email: string;
  role: 'executive_sponsor' | 'district_lead' | 'partner_lead' | 'participant';
  side?: 'district' | 'partner';
}

/** The members most tests need, at addresses of `domain`: a lead on each side and a participant. */
export const threeMembers = (domain: string): MemberInput[] => [
  { name: 'Ana Diaz', email: `ana@${domain}`, role: 'district_lead' },
  { name: 'Ben Ode', email: `ben@${domain}`, role: 'partner_lead' },
  { name: 'Cal Moss', email: `cal@${domain}`, role: 'participant' },
];

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  json: T;
}

export interface ApiStack {
  database: TestDatabase;
  /** Sign-in on the stack's database; its sign-in mail goes to the stack's mail capture. */
  auth: TandemAuth;
  /** Starts the stopped dev server again, on the same port and with the same state. */
  restartTemporal(): Promise<void>;
  /** With `ownPostgres`: the stack's own PostgreSQL server, to stop and start again. */
  postgres?: { stop(): Promise<void>; start(): Promise<void> };
  dev: DevServer;
  temporal: Client;
  worker: Worker;
  mailCaptureDir: string;
  server: HttpServer;
  /** Where the test reaches the server: localhost. */
  baseUrl: string;
  /**
   * PUBLIC_URL of the stack: a plain-http host that is not localhost (http://tandem.test:<port>), as
   * on a school intranet; the test browser resolves it to this machine (test/support/browser.ts).
   */
  publicUrl: string;
  adminKey: string;
  /** Waits until the partnership's workflow has planned its current review; returns its id. */
  reviewPlanned(partnershipId: string): Promise<string>;
  /** With the `replies` option: the port of Tandem's SMTP listener for replies. */
  inboundSmtpPort: number;
  /** Another API process on the same database and Temporal (a replica behind the same load balancer); where to reach it. */
  replica(): Promise<{ baseUrl: string }>;
  /** A district made through the API, with a key of its own (another tenant, for the attacker's tests). */
  districtWithKey(name: string, timeZone?: string): Promise<{ id: string; key: string }>;
  /**
   * A partnership made through the API with the admin key (anything but a 201 fails the test): its
   * district and partner are named after it, in America/Chicago, its first review in 60 days, unless
   * `over` says otherwise.
   */
  createPartnership(
    name: string,
    members: MemberInput[],
    over?: Record<string, unknown>,
  ): Promise<{ id: string; firstReview: { id: string } }>;
  /** One HTTP request; `key` null sends no Authorization header. */
  call<T = unknown>(
    key: string | null,
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<ApiResponse<T>>;
}

/**
 * The API on the real stack, for a test file: its own database on the test PostgreSQL, a Temporal dev
 * server with a worker running the real workflows and activities, a real SMTP capture, and the
 * Express app on a free port, with an admin key.
 */
export function useApiStack(
  taskQueue: string,
  opts: {
    ownPostgres?: boolean;
    /** An identity provider for the stack, started once its callback address is known. */
    oidc?: (redirectUri: string) => Promise<OidcSettings & { close(): Promise<void> }>;
    /**
     * Answers by reply: copies get reply addresses of `domain`; Tandem's SMTP listener (its port in
     * `stack.inboundSmtpPort`) and POST /inbound/mail (behind `inboundSecret`) take replies, checked
     * against `resolver`'s DNS.
     */
    replies?: { domain: string; inboundSecret: string; resolver: DNSResolver };
    /** Webhooks are sent with `post` (one that reaches the test's receiver), and the relay wakes their workflows. */
    webhooks?: { post: () => Post };
  } = {},
): ApiStack {
  const stack = { taskQueue } as unknown as ApiStack;
  let dir: string;
  let mailer: Mailer;
  let capture: Awaited<ReturnType<typeof startMailCapture>>;
  let running: Promise<void>;
  const closers: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tandem-api-'));
    // The port is held from here: the dev server started below picks free ports of its own.
    const held = await holdPort(0, (_req, res) => void res.writeHead(503).end());
    const { port } = held.address() as AddressInfo;
    closers.push(() => releasePort(held));
    stack.publicUrl = `http://tandem.test:${port}`;
    await chmod(dir, 0o755);
    stack.dev = await startTestDevServer(dir);
    stack.restartTemporal = async () => {
      stack.dev = await startTestDevServer(dir, Number(stack.dev.address.split(':')[1]));
    };
    stack.database = opts.ownPostgres ? await ownDatabase(dir, stack) : await createTestDatabase();
    stack.mailCaptureDir = path.join(dir, 'mail');
    capture = await startMailCapture({ dir: stack.mailCaptureDir, port: 0 });
    mailer = createMailer(capture.url, 'Tandem <tandem@test.example>');
    const oidc = opts.oidc ? await opts.oidc(`${stack.publicUrl}${AUTH_BASE_PATH}/callback/${OIDC_PROVIDER_ID}`) : undefined;
    if (oidc) closers.push(() => oidc.close());
    stack.auth = testAuth(stack.database.db, { mailer, publicUrl: stack.publicUrl, oidc });
    const logger = createLogger('silent', 'tandem-api-test');
    const nativeConnection = await NativeConnection.connect({ address: stack.dev.address });
    closers.push(() => nativeConnection.close());
    stack.worker = await createWorker({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue,
      deps: {
        db: stack.database.db,
        mailer,
        publicUrl: stack.publicUrl,
        mailGiveUpAfterMs: 86_400_000,
        taskLinks: testTaskLinks(stack.database.db, stack.publicUrl),
        replyDomain: opts.replies?.domain,
        postWebhook: opts.webhooks?.post(),
        sealer: testSealer,
      },
    });
    running = stack.worker.run();
    const connection = await connectClient({ address: stack.dev.address, tls: false });
    closers.push(() => connection.close());
    stack.temporal = new Client({ connection, namespace: 'default' });
    if (opts.webhooks) {
      const relay = await startWebhookRelay({ databaseUrl: stack.database.url, temporal: stack.temporal, taskQueue, logger });
      closers.push(() => relay.stop());
    }
    const replies: ReplyDeps | undefined = opts.replies && {
      db: stack.database.db,
      temporal: stack.temporal,
      logger,
      taskQueue,
      mailer,
      publicUrl: stack.publicUrl,
      mailGiveUpAfterMs: 86_400_000,
      replyDomain: opts.replies.domain,
      taskLinks: { linkTtlMs: 24 * 3_600_000, grantTtlMs: 3_600_000 },
      resolver: opts.replies.resolver,
    };
    if (replies) {
      const listener = await startInboundSmtp({
        port: 0,
        host: '127.0.0.1',
        domain: replies.replyDomain,
        onMessage: async (raw, envelope) => void (await receiveReply(replies, raw, envelope)),
      });
      closers.push(() => listener.stop());
      stack.inboundSmtpPort = listener.port;
    }
    // Each replica has a sign-in of its own, as a process would; they share the database and the secret.
    const app = (auth: TandemAuth) => () =>
      createHttpApp({
        db: stack.database.db,
        temporal: stack.temporal,
        mailer,
        logger,
        auth,
        namespace: 'default',
        taskQueue,
        publicUrl: stack.publicUrl,
        mailGiveUpAfterMs: 86_400_000,
        taskLinks: { linkTtlMs: 24 * 3_600_000, grantTtlMs: 3_600_000 },
        secret: TEST_AUTH_SECRET,
        sealer: testSealer,
        mailCaptureDir: stack.mailCaptureDir,
        oidc,
        replies: replies && opts.replies && { ...replies, inboundSecret: opts.replies.inboundSecret },
        replyDomain: opts.replies?.domain,
      });
    stack.server = await listen(app(stack.auth), held);
    stack.replica = async () => {
      const server = await listen(app(testAuth(stack.database.db, { mailer, publicUrl: stack.publicUrl, oidc })), 0);
      closers.push(() => server.close(1000));
      return { baseUrl: `http://localhost:${server.port}` };
    };
    stack.baseUrl = `http://localhost:${stack.server.port}`;
    stack.adminKey = (await createApiKey(stack.database.db, { name: 'test admin', role: 'admin' })).secret;
    stack.call = async (key, method, p, body, headers = {}) => {
      const res = await fetch(`${stack.baseUrl}${p}`, {
        method,
        headers: {
          ...(key ? { authorization: `Bearer ${key}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {}
      return { status: res.status, headers: res.headers, text, json: json as never };
    };
    stack.createPartnership = async (name, members, over = {}) => {
      const res = await stack.call<{ id: string; firstReview: { id: string } }>(stack.adminKey, 'POST', '/partnerships', {
        name,
        district: { name: `${name} USD` },
        partner: { name: `${name} Partners` },
        timeZone: 'America/Chicago',
        firstReviewAt: new Date(Date.now() + 60 * 86_400_000).toISOString(),
        members,
        ...over,
      });
      expect(res.status, res.text).toBe(201);
      return res.json;
    };
    stack.reviewPlanned = (partnershipId) =>
      waitFor('the review to be planned', async () => {
        const live = await stack.call<{ currentReview: { id: string } | null }>(
          stack.adminKey,
          'GET',
          `/partnerships/${partnershipId}/live`,
        );
        return live.status === 200 ? live.json.currentReview?.id : undefined;
      });
    stack.districtWithKey = async (name, timeZone = 'America/Chicago') => {
      const org = await stack.call<{ id: string }>(stack.adminKey, 'POST', '/organizations', { kind: 'district', name, timeZone });
      if (org.status !== 201) throw new Error(`could not make the district ${name}: ${org.text}`);
      const key = await stack.call<{ secret: string }>(stack.adminKey, 'POST', '/api-keys', {
        name: `${name} staff`,
        role: 'district',
        organizationId: org.json.id,
      });
      if (key.status !== 201) throw new Error(`could not make a key for ${name}: ${key.text}`);
      return { id: org.json.id, key: key.json.secret };
    };
  });
  afterAll(async () => {
    await stack.server?.close(1000);
    if (stack.worker?.getState() === 'RUNNING') stack.worker.shutdown();
    await running?.catch(() => {});
    for (const close of closers.reverse()) await close().catch(() => {});
    mailer?.close();
    await capture?.stop();
    await stack.database?.drop();
    await stack.dev?.stop();
    await rm(dir, { recursive: true, force: true });
  });
  return stack;
}

/** A PostgreSQL server of the stack's own (not the shared test server), migrated, that a test may stop. */
async function ownDatabase(dir: string, stack: ApiStack): Promise<TestDatabase> {
  const port = await freePort();
  const dataDir = path.join(dir, 'postgres');
  const start = () => startEmbeddedPostgres({ dataDir, port, database: 'tandem' });
  let server = await start();
  await migrate(server.url);
  const db = createDb(server.url);
  stack.postgres = {
    stop: () => server.stop(),
    start: async () => {
      server = await start();
    },
  };
  return {
    url: server.url,
    db,
    drop: async () => {
      await db.$disconnect();
      await server.stop();
    },
  };
}

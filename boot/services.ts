import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { Client } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { Worker } from '@temporalio/worker';
import express from 'express';
import { ensureMailSweep } from '../activities/mail/sweep-schedule.js';
import { startWebhookRelay } from '../activities/webhooks/relay.js';
import { dependencyChecks, healthRouter } from '../api/http/health.js';
import { recordStateMetrics } from '../api/http/metrics.js';
import { deliverSignInLink } from '../api/people/sign-in-mail.js';
import { createAdmin } from '../core/people/identity.js';
import { taskLinks } from '../core/people/task-links.js';
import { receiveReply } from '../core/replies/receive.js';
import { createAuth, OIDC_PROVIDER_ID, type TandemAuth } from '../lib/auth/better-auth.js';
import { createSealer, type Sealer } from '../lib/auth/sealed.js';
import type { Config } from '../lib/config.js';
import type { Db } from '../lib/db/client.js';
import { ConflictError, ValidationError } from '../lib/errors.js';
import { type HttpServer, listen } from '../lib/http-server.js';
import type { Logger } from '../lib/logger.js';
import { startInboundSmtp } from '../lib/mail/inbound.js';
import type { Mailer } from '../lib/mail/mailer.js';
import { createMetrics } from '../lib/metrics.js';
import type { StopList } from '../lib/stop-list.js';
import { connectClient, connectWorker, type TemporalConnectionOptions } from '../lib/temporal/connection.js';
import { createPoster } from '../lib/webhooks/post.js';
import { resealStoredSecrets } from './sealed-secrets.js';
import { createWorker } from './worker.js';

/** What the API and the worker share, whether `npm start` runs both or each runs in its own container. */
export interface ServiceDeps {
  config: Config;
  logger: Logger;
  db: Db;
  /** The database's URL, for what needs a connection of its own (the webhook relay listens on one). */
  databaseUrl: string;
  mailer: Mailer;
  temporal: TemporalConnectionOptions;
  stops: StopList;
  /** AUTH_SECRET, or on the embedded default the one kept in the data directory. */
  authSecret: string;
}

/**
 * Sign-in (Better Auth) as a service sees it: the API delivers the links people ask for; the worker
 * only makes links for the messages it sends.
 */
export function serviceAuth(deps: Omit<ServiceDeps, 'temporal' | 'stops'>): TandemAuth {
  const { config } = deps;
  return createAuth({
    db: deps.db,
    publicUrl: config.publicUrl,
    secret: deps.authSecret,
    signInLinkTtlSeconds: config.signInLinkTtlSeconds,
    sessionTtlSeconds: config.sessionTtlSeconds,
    providers: config.oidc ? [{ ...config.oidc, providerId: OIDC_PROVIDER_ID }] : [],
    deliverSignInLink: deliverSignInLink({
      db: deps.db,
      mailer: deps.mailer,
      logger: deps.logger,
      publicUrl: config.publicUrl,
      mailGiveUpAfterMs: config.mailGiveUpAfterMs,
      replyDomain: config.MAIL_REPLY_DOMAIN,
      signInLinkTtlSeconds: config.signInLinkTtlSeconds,
    }),
  });
}

/**
 * The sealer of the secrets Tandem stores to use again (AUTH_SECRET, and AUTH_SECRET_PREVIOUS after a
 * rotation), once the values left in clear or sealed with the previous secret are sealed anew. A
 * database that does not answer at the start does not stop it: what is left in clear still reads,
 * and is sealed at the next start.
 */
async function storedSecrets(deps: ServiceDeps): Promise<Sealer> {
  const sealer = createSealer(deps.authSecret, deps.config.AUTH_SECRET_PREVIOUS);
  await resealStoredSecrets(deps.db, sealer, deps.logger).catch((err) =>
    deps.logger.warn({ err }, 'could not seal the stored secrets at this start: the next start will'),
  );
  return sealer;
}

export interface RunningWorker {
  worker: Worker;
  /** Settles when the worker stops, for whatever reason. */
  running: Promise<void>;
}

/**
 * Starts the worker; on stop it stops polling and lets activities in flight finish for
 * SHUTDOWN_GRACE_SECONDS (then they are cancelled, and Temporal retries them on another worker).
 * With `healthPort` it also serves `/health` and `/ready` for container health checks.
 */
export async function startWorkerService(deps: ServiceDeps, opts: { healthPort?: number } = {}): Promise<RunningWorker> {
  const { config, logger, stops } = deps;
  const sealer = await storedSecrets(deps);
  const connection = await connectWorker(deps.temporal);
  stops.add('worker connection', () => connection.close());
  const worker = await createWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    shutdownGraceTime: `${config.SHUTDOWN_GRACE_SECONDS}s`,
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    deps: {
      db: deps.db,
      mailer: deps.mailer,
      publicUrl: config.publicUrl,
      mailGiveUpAfterMs: config.mailGiveUpAfterMs,
      taskLinks: taskLinks(deps.db, {
        publicUrl: config.publicUrl,
        linkTtlMs: config.signInLinkTtlSeconds * 1000,
        grantTtlMs: config.taskLinkGrantMs,
      }),
      replyDomain: config.MAIL_REPLY_DOMAIN,
      postWebhook: createPoster({
        timeoutMs: config.webhookTimeoutMs,
        allowPrivateAddresses: config.WEBHOOK_ALLOW_PRIVATE_ADDRESSES,
        ca: config.WEBHOOK_CA_PATH ? await readFile(config.WEBHOOK_CA_PATH, 'utf8') : undefined,
      }),
      sealer,
    },
  });
  const running = worker.run();
  // Deliveries are written where no Temporal client is at hand: the relay wakes their workflows.
  const clientConnection = await connectClient(deps.temporal);
  stops.add('webhook relay connection', () => clientConnection.close());
  const client = new Client({ connection: clientConnection, namespace: config.TEMPORAL_NAMESPACE });
  const relay = await startWebhookRelay({ databaseUrl: deps.databaseUrl, temporal: client, taskQueue: config.TEMPORAL_TASK_QUEUE, logger });
  stops.add('webhook relay', () => relay.stop());
  // Mail a request failed to send at once is swept every minute by a Temporal schedule.
  await ensureMailSweep(client, config.TEMPORAL_TASK_QUEUE).catch((err) =>
    logger.error({ err }, 'could not make the mail sweep schedule: mail left pending by a failed request is not sent again'),
  );
  running.catch((err) => logger.fatal({ err }, 'worker stopped unexpectedly'));
  stops.add('worker', async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running.catch(() => {});
  });
  if (opts.healthPort !== undefined) {
    const checks = {
      worker: async () => {
        const state = worker.getState();
        if (state !== 'RUNNING') throw new Error(`worker is ${state}`);
      },
      ...dependencyChecks({ db: deps.db, mailer: deps.mailer, temporal: connection, namespace: config.TEMPORAL_NAMESPACE }),
    };
    const metrics = createMetrics('worker');
    recordStateMetrics(metrics, deps.db);
    metrics.gauge('tandem_worker_running', '1 while this worker polls its task queue, 0 once it stops or fails', [], async (set) =>
      set({}, worker.getState() === 'RUNNING' ? 1 : 0),
    );
    const health = await listen(
      (draining) => express().use(healthRouter({ checks, draining })).get('/metrics', metrics.handler),
      opts.healthPort,
      'WORKER_HEALTH_PORT',
    );
    stops.add('worker health endpoint', () => health.close(1000));
    logger.info({ port: health.port }, 'worker health endpoint listening');
  }
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, namespace: config.TEMPORAL_NAMESPACE }, 'worker polling');
  return { worker, running };
}

/** Starts the API; on stop `/ready` turns 503, new connections are refused and requests in flight finish. */
export async function startApiService(
  deps: ServiceDeps,
  /** `port`: a number, or the server `holdPort` opened on it at the start. */
  opts: { port: number | Server; mailCaptureDir?: string | undefined },
): Promise<{ server: HttpServer; temporal: Client; auth: TandemAuth }> {
  const { config, logger, stops } = deps;
  const sealer = await storedSecrets(deps);
  const connection = await connectClient(deps.temporal);
  stops.add('Temporal client', () => connection.close());
  // The workflows a request starts or updates continue its trace.
  const temporal = new Client({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
  });
  // Loaded here, not at the top: a worker process has no use for the routes and starts faster without them.
  const { createHttpApp } = await import('./http.js');
  const auth = serviceAuth(deps);
  if (config.ADMIN_EMAIL) await ensureAdmin(deps.db, logger, config.ADMIN_EMAIL);
  const replies = config.MAIL_REPLY_DOMAIN
    ? {
        db: deps.db,
        temporal,
        logger,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        mailer: deps.mailer,
        publicUrl: config.publicUrl,
        mailGiveUpAfterMs: config.mailGiveUpAfterMs,
        replyDomain: config.MAIL_REPLY_DOMAIN,
        taskLinks: { linkTtlMs: config.signInLinkTtlSeconds * 1000, grantTtlMs: config.taskLinkGrantMs },
      }
    : undefined;
  if (replies && config.INBOUND_SMTP_PORT !== undefined) {
    const listener = await startInboundSmtp({
      port: config.INBOUND_SMTP_PORT,
      domain: replies.replyDomain,
      tls:
        config.INBOUND_SMTP_TLS_CERT_PATH && config.INBOUND_SMTP_TLS_KEY_PATH
          ? { cert: await readFile(config.INBOUND_SMTP_TLS_CERT_PATH), key: await readFile(config.INBOUND_SMTP_TLS_KEY_PATH) }
          : undefined,
      onMessage: async (raw, envelope) => {
        await receiveReply(replies, raw, envelope);
      },
    });
    stops.add('inbound SMTP', () => listener.stop());
    logger.info({ port: listener.port, domain: replies.replyDomain }, 'listening for replies by SMTP');
  }
  const server = await listen(
    (draining) =>
      createHttpApp({
        db: deps.db,
        temporal,
        mailer: deps.mailer,
        logger,
        auth,
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        publicUrl: config.publicUrl,
        mailGiveUpAfterMs: config.mailGiveUpAfterMs,
        taskLinks: { linkTtlMs: config.signInLinkTtlSeconds * 1000, grantTtlMs: config.taskLinkGrantMs },
        replyDomain: config.MAIL_REPLY_DOMAIN,
        secret: deps.authSecret,
        sealer,
        oidc: config.oidc,
        mailCaptureDir: opts.mailCaptureDir,
        draining,
        replies: replies && config.INBOUND_MAIL_SECRET ? { ...replies, inboundSecret: config.INBOUND_MAIL_SECRET } : undefined,
      }),
    opts.port,
  );
  stops.add('API', () => server.close(config.SHUTDOWN_GRACE_SECONDS * 1000));
  logger.info({ port: server.port }, 'API listening');
  return { server, temporal, auth };
}

/**
 * The installation's admin named by ADMIN_EMAIL: made if the address is new to Tandem. An address
 * someone already has is never promoted (a tenant may have named it first): the start says so and
 * goes on without it.
 */
export async function ensureAdmin(db: Db, logger: Logger, email: string): Promise<void> {
  try {
    if ((await createAdmin({ db }, { kind: 'system', name: 'ADMIN_EMAIL' }, { email })) === 'created') {
      logger.info({ email }, 'made the installation admin from ADMIN_EMAIL');
    }
  } catch (e) {
    if (!(e instanceof ConflictError || e instanceof ValidationError)) throw e;
    logger.warn({ email }, `ADMIN_EMAIL was not applied: ${e.message}`);
  }
}

import path from 'node:path';
import type { Client } from '@temporalio/client';
import express from 'express';
import { problemHandler } from '../api/http/problem.js';
import { localAdminKey } from '../lib/auth/api-keys.js';
import { SIGN_IN_PARAMS } from '../lib/auth/better-auth.js';
import { localSecret } from '../lib/auth/secrets.js';
import type { Config } from '../lib/config.js';
import { createDb, type Db } from '../lib/db/client.js';
import { startEmbeddedPostgres } from '../lib/db/embedded.js';
import { migrate } from '../lib/db/migrate.js';
import { StartingError } from '../lib/errors.js';
import { holdPort, releasePort } from '../lib/http-server.js';
import type { Logger } from '../lib/logger.js';
import { startMailCapture } from '../lib/mail/capture.js';
import { createMailer, type Mailer } from '../lib/mail/mailer.js';
import { StopList } from '../lib/stop-list.js';
import { supervise } from '../lib/supervise.js';
import { temporalConnectionOptions } from '../lib/temporal/connection.js';
import { startDevServer } from '../lib/temporal/dev-server.js';
import { startTemporalOnPostgres } from '../lib/temporal/postgres-server.js';
import { type Progress, resolveTemporalCli, resolveTemporalServer, TEMPORAL_SERVER_VERSION } from '../lib/tools/provision.js';
import { ensureAdmin, startApiService, startWorkerService } from './services.js';

/** Who signs in first on the embedded default when ADMIN_EMAIL is not set. */
export const LOCAL_ADMIN_EMAIL = 'admin@tandem.localhost';

export interface RunningSystem {
  /** Where this machine reaches the API (localhost). */
  apiUrl: string;
  /** PUBLIC_URL: where people reach it, as links name it. */
  publicUrl: string;
  /** On the embedded mail capture: a link that signs the admin in (the captured mail is theirs to read). */
  adminSignInLink: string | undefined;
  /** The admin key was made by this start (shown once), not read from its file. */
  adminKeyCreated: boolean;
  temporalAddress: string;
  temporalUiUrl: string | undefined;
  databaseUrl: string;
  smtpUrl: string;
  mailCaptureDir: string | undefined;
  /** An admin API key for this installation, kept in `adminKeyFile`. */
  adminKey: string;
  adminKeyFile: string;
  /** The installation admin's address: sign in with it at the web app. */
  adminEmail: string;
  db: Db;
  temporal: Client;
  mailer: Mailer;
  /** Stops everything this call started, in reverse order. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Brings Tandem up: every dependency that is not configured by env is started embedded
 * (PostgreSQL, the Temporal dev server, a mail capture), then the worker and the API.
 */
export async function startSystem(config: Config, logger: Logger, progress: Progress): Promise<RunningSystem> {
  const stops = new StopList(logger, progress);
  try {
    // The API's port before anything else: a taken port fails the start at once, and none of the
    // servers started below (each picks free ports of its own) can take it in the meantime.
    const apiPort = await holdPort(
      config.PORT,
      express()
        .use((_req, _res, next) => next(new StartingError('Tandem is still starting; try again in a moment')))
        .use(problemHandler(logger)),
    );
    stops.add('API port', () => releasePort(apiPort));
    const databaseUrl = config.DATABASE_URL ?? (await embeddedPostgres(config, stops, logger, progress));
    const migration = await migrate(databaseUrl, { progress });
    progress(`database ready (${migration.applied.length} migrations applied now, ${migration.alreadyApplied} before)`);
    const db = createDb(databaseUrl);
    stops.add('database pool', () => db.$disconnect());
    const adminKeyFile = path.join(config.dataDir, 'admin-api-key');
    const { secret: adminKey, created: adminKeyCreated } = await localAdminKey(db, adminKeyFile);
    const authSecret = config.AUTH_SECRET ?? (await localSecret(path.join(config.dataDir, 'auth-secret')));
    const adminEmail = config.ADMIN_EMAIL ?? LOCAL_ADMIN_EMAIL;
    await ensureAdmin(db, logger, adminEmail);

    const { smtpUrl, mailCaptureDir } = await mailTransport(config, stops, progress);
    const mailer = createMailer(smtpUrl, config.MAIL_FROM, { connections: config.SMTP_MAX_CONNECTIONS });
    stops.add('mailer', async () => mailer.close());

    const { temporalAddress, temporalUiUrl } = config.TEMPORAL_ADDRESS
      ? { temporalAddress: config.TEMPORAL_ADDRESS, temporalUiUrl: undefined }
      : await embeddedTemporal(config, databaseUrl, stops, logger, progress);
    const deps = {
      config,
      logger,
      db,
      databaseUrl,
      mailer,
      temporal: temporalConnectionOptions(temporalAddress, config),
      stops,
      authSecret,
    };

    progress('bundling workflows and starting the worker');
    await startWorkerService(deps);
    const { server, temporal, auth } = await startApiService(deps, { port: apiPort, mailCaptureDir });
    // Mail is captured here and only the admin reads it: the admin's own first way in is printed.
    const admin = await db.person.findUnique({ where: { email: adminEmail.toLowerCase() } });
    const adminSignInLink =
      mailCaptureDir && admin?.isAdmin
        ? `${config.publicUrl}/link?${new URLSearchParams({ [SIGN_IN_PARAMS.token]: await auth.mintSignInToken(admin.email), [SIGN_IN_PARAMS.person]: admin.id, next: '/' })}`
        : undefined;

    return {
      apiUrl: `http://localhost:${server.port}`,
      publicUrl: config.publicUrl,
      adminSignInLink,
      adminKeyCreated,
      temporalAddress,
      temporalUiUrl,
      databaseUrl,
      smtpUrl,
      mailCaptureDir,
      adminKey,
      adminKeyFile,
      adminEmail,
      db,
      temporal,
      mailer,
      stop: () => stops.stopAll(),
    };
  } catch (e) {
    await stops.stopAll();
    throw e;
  }
}

/** PostgreSQL embedded in the data directory, started again should it die; its URL. */
async function embeddedPostgres(config: Config, stops: StopList, logger: Logger, progress: Progress): Promise<string> {
  progress(`starting embedded PostgreSQL on port ${config.EMBEDDED_POSTGRES_PORT} (data in ${path.join(config.dataDir, 'postgres')})`);
  const startPostgres = () =>
    startEmbeddedPostgres({
      dataDir: path.join(config.dataDir, 'postgres'),
      port: config.EMBEDDED_POSTGRES_PORT,
      database: 'tandem',
      progress,
    });
  let pg = await startPostgres();
  stops.add('PostgreSQL', () => pg.stop());
  // Should it die, it is started again on the same port and data; the pool reconnects.
  const watch = supervise({
    what: 'PostgreSQL',
    alive: () => pg.alive(),
    restart: async () => {
      pg = await startPostgres();
    },
    say: (m) => logger.warn(m),
  });
  stops.add('PostgreSQL watch', async () => watch.stop());
  return pg.url;
}

/** The SMTP server configured, or a local capture whose messages land in the data directory. */
async function mailTransport(
  config: Config,
  stops: StopList,
  progress: Progress,
): Promise<{ smtpUrl: string; mailCaptureDir: string | undefined }> {
  if (config.SMTP_URL) return { smtpUrl: config.SMTP_URL, mailCaptureDir: undefined };
  const mailCaptureDir = path.join(config.dataDir, 'mail');
  const capture = await startMailCapture({ dir: mailCaptureDir, port: config.SMTP_CAPTURE_PORT });
  stops.add('mail capture', capture.stop);
  progress(`capturing mail locally on port ${capture.port} (messages in ${mailCaptureDir})`);
  return { smtpUrl: capture.url, mailCaptureDir };
}

/**
 * The Temporal server on the embedded PostgreSQL (TEMPORAL_SERVER=postgres), or the dev server on
 * SQLite, started again should it die; where to reach it.
 */
async function embeddedTemporal(
  config: Config,
  databaseUrl: string,
  stops: StopList,
  logger: Logger,
  progress: Progress,
): Promise<{ temporalAddress: string; temporalUiUrl: string | undefined }> {
  if (config.TEMPORAL_SERVER === 'postgres') {
    const install = await resolveTemporalServer(config.toolsDir, progress);
    progress(`starting the Temporal server ${TEMPORAL_SERVER_VERSION} on PostgreSQL, port ${config.TEMPORAL_DEV_SERVER_PORT}`);
    const server = await startTemporalOnPostgres({
      install,
      postgresUrl: databaseUrl,
      stateDir: path.join(config.dataDir, 'temporal-server'),
      port: config.TEMPORAL_DEV_SERVER_PORT,
      namespace: config.TEMPORAL_NAMESPACE,
      progress,
    });
    stops.add('Temporal server', server.stop);
    return { temporalAddress: server.address, temporalUiUrl: undefined };
  }
  const cli = await resolveTemporalCli(config.toolsDir, config.TEMPORAL_CLI_PATH, progress);
  progress(`starting the Temporal dev server on port ${config.TEMPORAL_DEV_SERVER_PORT}`);
  const startDev = (port: number) =>
    startDevServer({
      cliPath: cli.path,
      port,
      uiPort: config.TEMPORAL_UI_PORT,
      dbFile: path.join(config.dataDir, 'temporal', 'temporal.db'),
      logFile: path.join(config.dataDir, 'temporal', 'server.log'),
      namespace: config.TEMPORAL_NAMESPACE,
      progress,
    });
  let dev = await startDev(config.TEMPORAL_DEV_SERVER_PORT);
  stops.add('Temporal dev server', () => dev.stop());
  // Should it die, it is started again on the same port and state; the worker and clients reconnect.
  const port = Number(dev.address.split(':').at(-1));
  const watch = supervise({
    what: 'The Temporal dev server',
    alive: () => dev.alive(),
    restart: async () => {
      dev = await startDev(port);
    },
    say: (m) => logger.warn(m),
  });
  stops.add('Temporal dev server watch', async () => watch.stop());
  return { temporalAddress: dev.address, temporalUiUrl: dev.uiUrl };
}

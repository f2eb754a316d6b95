import type { Server } from 'node:http';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createApp } from '../api/app.js';
import type { Config } from './config.js';
import { createDb, type Db } from './db/client.js';
import { startEmbeddedPostgres } from './db/embedded.js';
import { migrate } from './db/migrate.js';
import type { Logger } from './logger.js';
import { startMailCapture } from './mail/capture.js';
import { createMailer, type Mailer } from './mail/mailer.js';
import { startDevServer } from './temporal/dev-server.js';
import { createWorker } from './temporal/worker.js';
import { type Progress, resolveTemporalCli } from './tools/provision.js';

export interface RunningSystem {
  apiUrl: string;
  temporalAddress: string;
  temporalUiUrl: string | undefined;
  databaseUrl: string;
  smtpUrl: string;
  mailCaptureDir: string | undefined;
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
  const stops: Array<{ name: string; stop: () => Promise<void> }> = [];
  const onStop = (name: string, stop: () => Promise<void>) => stops.push({ name, stop });
  const stopAll = async () => {
    while (stops.length) {
      const { name, stop } = stops.pop() as (typeof stops)[number];
      const started = Date.now();
      await stop().catch((err) => logger.error({ err }, `error while stopping ${name}`));
      progress(`stopped ${name} (${Date.now() - started} ms)`);
    }
  };
  try {
    let databaseUrl = config.DATABASE_URL;
    if (!databaseUrl) {
      progress(`starting embedded PostgreSQL on port ${config.EMBEDDED_POSTGRES_PORT} (data in ${path.join(config.dataDir, 'postgres')})`);
      const pg = await startEmbeddedPostgres({
        dataDir: path.join(config.dataDir, 'postgres'),
        port: config.EMBEDDED_POSTGRES_PORT,
        database: 'tandem',
      });
      onStop('PostgreSQL', pg.stop);
      databaseUrl = pg.url;
    }
    const migration = await migrate(databaseUrl, { progress });
    progress(`database ready (${migration.applied.length} migrations applied now, ${migration.alreadyApplied} before)`);
    const db = createDb(databaseUrl);
    onStop('database pool', () => db.$disconnect());

    let smtpUrl = config.SMTP_URL;
    let mailCaptureDir: string | undefined;
    if (!smtpUrl) {
      mailCaptureDir = path.join(config.dataDir, 'mail');
      const capture = await startMailCapture({ dir: mailCaptureDir, port: config.SMTP_CAPTURE_PORT });
      onStop('mail capture', capture.stop);
      smtpUrl = capture.url;
      progress(`capturing mail locally on port ${capture.port} (messages in ${mailCaptureDir})`);
    }
    const mailer = createMailer(smtpUrl, config.MAIL_FROM);
    onStop('mailer', async () => mailer.close());

    let temporalAddress = config.TEMPORAL_ADDRESS;
    let temporalUiUrl: string | undefined;
    if (!temporalAddress) {
      const cli = await resolveTemporalCli(config.toolsDir, config.TEMPORAL_CLI_PATH, progress);
      progress(`starting the Temporal dev server on port ${config.TEMPORAL_DEV_SERVER_PORT}`);
      const dev = await startDevServer({
        cliPath: cli.path,
        port: config.TEMPORAL_DEV_SERVER_PORT,
        uiPort: config.TEMPORAL_UI_PORT,
        dbFile: path.join(config.dataDir, 'temporal', 'temporal.db'),
        logFile: path.join(config.dataDir, 'temporal', 'server.log'),
        namespace: config.TEMPORAL_NAMESPACE,
      });
      onStop('Temporal dev server', dev.stop);
      temporalAddress = dev.address;
      temporalUiUrl = dev.uiUrl;
    }
    const connection = await Connection.connect({ address: temporalAddress });
    onStop('Temporal client', () => connection.close());
    const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
    const nativeConnection = await NativeConnection.connect({ address: temporalAddress });
    onStop('worker connection', () => nativeConnection.close());

    progress('bundling workflows and starting the worker');
    const worker = await createWorker({
      connection: nativeConnection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      deps: { db, mailer, publicUrl: config.publicUrl },
    });
    const running = worker.run();
    running.catch((err) => logger.fatal({ err }, 'worker stopped unexpectedly'));
    onStop('worker', async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => {});
    });

    const app = createApp({
      db,
      temporal,
      mailer,
      logger,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      mailCaptureDir,
    });
    const server: Server = await new Promise((resolve, reject) => {
      const s = app.listen(config.PORT, () => resolve(s));
      s.once('error', reject);
    });
    onStop(
      'API',
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;

    let stopped: Promise<void> | undefined;
    return {
      apiUrl: `http://localhost:${port}`,
      temporalAddress,
      temporalUiUrl,
      databaseUrl,
      smtpUrl,
      mailCaptureDir,
      db,
      temporal,
      mailer,
      stop: () => {
        stopped ??= stopAll();
        return stopped;
      },
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

// The production entry point, one role per command: `node dist/scripts/tandem.js api|worker|migrate`.
// Unlike `npm start`, it starts nothing embedded: the database, Temporal and SMTP come from the
// environment. JSON logs on stdout; SIGTERM or SIGINT stops it gracefully.
// Workers run in UTC so that nothing depends on the host's zone; partnerships carry their own.
process.env.TZ = 'UTC';

import { type Config, ConfigError, loadConfig } from '../lib/config.js';
import { createDb } from '../lib/db/client.js';
import { migrate } from '../lib/db/migrate.js';
import { createLogger, type Logger } from '../lib/logger.js';
import { createMailer } from '../lib/mail/mailer.js';
import { ROLES, type Role } from '../lib/roles.js';
import { startApiService, startWorkerService } from '../lib/services.js';
import { StopList } from '../lib/stop-list.js';
import { temporalConnectionOptions } from '../lib/temporal/connection.js';
import { installTemporalRuntime } from '../lib/temporal/runtime.js';

const USAGE = 'usage: tandem api|worker|migrate   (see README.md, "Production")';

function parseRole(arg: string | undefined): Role {
  if (arg && Object.hasOwn(ROLES, arg)) return arg as Role;
  console.error(arg ? `unknown role ${JSON.stringify(arg)}; ${USAGE}` : USAGE);
  process.exit(2);
}

/** Names every missing variable at once, so that a deployment is fixed in one round. */
function endpoints(config: Config, role: Role) {
  const missing = ROLES[role].filter((name) => !config[name]);
  if (missing.length) {
    throw new ConfigError(`Invalid configuration: the ${role} role needs ${missing.join(', ')} (nothing is embedded in production)`);
  }
  return { databaseUrl: config.DATABASE_URL ?? '', temporalAddress: config.TEMPORAL_ADDRESS ?? '', smtpUrl: config.SMTP_URL ?? '' };
}

async function run(role: Role, config: Config, logger: Logger, stops: StopList): Promise<'done' | 'serving'> {
  const { databaseUrl, temporalAddress, smtpUrl } = endpoints(config, role);
  if (role === 'migrate') {
    const result = await migrate(databaseUrl, { progress: (m) => logger.info(m) });
    logger.info({ applied: result.applied, alreadyApplied: result.alreadyApplied }, 'database migrated');
    return 'done';
  }
  const temporal = temporalConnectionOptions(temporalAddress, config);
  installTemporalRuntime(logger);
  const db = createDb(databaseUrl);
  stops.add('database pool', () => db.$disconnect());
  const mailer = createMailer(smtpUrl, config.MAIL_FROM);
  stops.add('mailer', async () => mailer.close());
  const deps = { config, logger, db, mailer, temporal, stops };
  if (role === 'api') {
    await startApiService(deps, { port: config.PORT });
    return 'serving';
  }
  const { running } = await startWorkerService(deps, { healthPort: config.WORKER_HEALTH_PORT });
  // A worker that dies on its own leaves a process that does nothing: exit so that the orchestrator restarts it.
  running.then(
    () => stopping || fail('the worker stopped on its own'),
    () => fail('the worker failed'),
  );
  return 'serving';
}

const role = parseRole(process.argv[2]);
let config: Config;
try {
  config = loadConfig();
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  console.error(e.message);
  process.exit(2);
}
const logger = createLogger(config.LOG_LEVEL, `tandem-${role}`);
const stops = new StopList(logger, (m) => logger.info(m));

let stopping = false;
function fail(message: string) {
  logger.fatal(message);
  stops.stopAll().finally(() => process.exit(1));
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, graceSeconds: config.SHUTDOWN_GRACE_SECONDS }, 'stopping gracefully');
    stops.stopAll().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (err) => {
        logger.error({ err }, 'could not stop cleanly');
        process.exit(1);
      },
    );
  });
}

try {
  if ((await run(role, config, logger, stops)) === 'done') process.exit(0);
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    await stops.stopAll();
    process.exit(2);
  }
  logger.fatal({ err: e }, `could not start the ${role} role`);
  await stops.stopAll();
  process.exit(1);
}

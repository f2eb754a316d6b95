// The production entry point, one role per command: `node dist/scripts/tandem.js api|worker|migrate`.
// Unlike `npm start`, it starts nothing embedded: the database, Temporal and SMTP come from the
// environment. JSON logs on stdout; SIGTERM or SIGINT stops it gracefully.
// Workers run in UTC so that nothing depends on the host's zone; partnerships carry their own.
process.env.TZ = 'UTC';

import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ROLES, type Role } from '../boot/roles.js';
import { startApiService, startWorkerService } from '../boot/services.js';
import { createAdmin } from '../core/people/identity.js';
import { ApiRole, createApiKey, type NewApiKey } from '../lib/auth/api-keys.js';
import { type Config, ConfigError, loadConfig } from '../lib/config.js';
import { createDb } from '../lib/db/client.js';
import { migrate } from '../lib/db/migrate.js';
import { ConflictError, ValidationError } from '../lib/errors.js';
import { createLogger, type Logger } from '../lib/logger.js';
import { createMailer } from '../lib/mail/mailer.js';
import { StopList } from '../lib/stop-list.js';
import { temporalConnectionOptions } from '../lib/temporal/connection.js';
import { installTemporalRuntime } from '../lib/temporal/runtime.js';
import { startTracing } from '../lib/tracing.js';

const USAGE = `usage: tandem api|worker|migrate
       tandem api-key --name NAME --role admin|coordinator|district|partner [--cohort ID] [--organization ID]
       tandem admin --email ADDRESS [--name NAME]   (makes an installation admin; an address already in Tandem is refused)
(see README.md, "Production")`;

function parseRole(arg: string | undefined): Role {
  if (arg && Object.hasOwn(ROLES, arg)) return arg as Role;
  console.error(arg ? `unknown role ${JSON.stringify(arg)}; ${USAGE}` : USAGE);
  process.exit(2);
}

function apiKeyArgs(args: string[]): NewApiKey {
  try {
    const { values } = parseArgs({
      args,
      options: { name: { type: 'string' }, role: { type: 'string' }, cohort: { type: 'string' }, organization: { type: 'string' } },
      strict: true,
    });
    if (!values.name || !values.role) throw new Error('--name and --role are required');
    if (!Object.hasOwn(ApiRole, values.role)) throw new Error(`unknown --role ${values.role}`);
    for (const id of ['cohort', 'organization'] as const) {
      if (values[id] !== undefined && !z.uuid().safeParse(values[id]).success) throw new Error(`--${id} must be a uuid`);
    }
    return {
      name: values.name,
      role: values.role as ApiRole,
      cohortId: values.cohort ?? null,
      organizationId: values.organization ?? null,
    };
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
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
  if (role === 'api-key') {
    // The secret goes to stdout alone, so that a script can capture it; the pool is closed here
    // rather than by the stop list, whose log lines would follow it on stdout.
    const db = createDb(databaseUrl);
    try {
      const { key, secret } = await createApiKey(db, apiKeyArgs(process.argv.slice(3)));
      console.error(`created API key ${key.id} (${key.role}, "${key.name}"); its secret is shown only now:`);
      process.stdout.write(`${secret}\n`);
    } finally {
      await db.$disconnect();
    }
    return 'done';
  }
  if (role === 'admin') {
    const db = createDb(databaseUrl);
    try {
      const { values } = parseArgs({
        args: process.argv.slice(3),
        options: { email: { type: 'string' }, name: { type: 'string' } },
        strict: true,
      });
      const made = await createAdmin(
        { db },
        { kind: 'command_line', name: 'tandem admin' },
        { email: values.email ?? '', name: values.name },
      );
      console.error(
        made === 'created'
          ? `${values.email} is now an installation admin; they sign in with an emailed link`
          : `${values.email} is an installation admin already`,
      );
    } catch (e) {
      if (!(e instanceof ConflictError || e instanceof ValidationError || e instanceof TypeError)) throw e;
      console.error(`${(e as Error).message}\n${USAGE}`);
      process.exitCode = 2;
    } finally {
      await db.$disconnect();
    }
    return 'done';
  }
  if (role === 'migrate') {
    const result = await migrate(databaseUrl, { progress: (m) => logger.info(m) });
    logger.info({ applied: result.applied, alreadyApplied: result.alreadyApplied }, 'database migrated');
    return 'done';
  }
  const temporal = temporalConnectionOptions(temporalAddress, config);
  // The SDK's worker metrics are the worker's: the API runs no worker.
  installTemporalRuntime(logger, { metricsPort: role === 'worker' ? config.TEMPORAL_METRICS_PORT : undefined });
  const traces = startTracing(`tandem-${role}`, config.OTEL_EXPORTER_OTLP_ENDPOINT);
  stops.add('traces', () => traces.shutdown());
  const db = createDb(databaseUrl);
  stops.add('database pool', () => db.$disconnect());
  const mailer = createMailer(smtpUrl, config.MAIL_FROM, { connections: config.SMTP_MAX_CONNECTIONS });
  stops.add('mailer', async () => mailer.close());
  const deps = { config, logger, db, databaseUrl, mailer, temporal, stops, authSecret: config.AUTH_SECRET ?? '' };
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
  if ((await run(role, config, logger, stops)) === 'done') process.exit(process.exitCode ?? 0);
} catch (e) {
  if (e instanceof ConfigError || e instanceof ValidationError) {
    console.error(e.message);
    await stops.stopAll();
    process.exit(2);
  }
  logger.fatal({ err: e }, `could not start the ${role} role`);
  await stops.stopAll();
  process.exit(1);
}

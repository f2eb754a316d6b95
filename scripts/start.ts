// `npm start`: the whole system on embedded defaults, in one process tree. Ctrl-C stops it cleanly.
// Workers run in UTC so that nothing depends on the host's zone; partnerships carry their own.
process.env.TZ = 'UTC';

import { startSystem } from '../boot/system.js';
import { ConfigError, loadConfig } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import { installTemporalRuntime } from '../lib/temporal/runtime.js';
import { startTracing } from '../lib/tracing.js';

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(2);
  }
  throw e;
}
const logger = createLogger(config.LOG_LEVEL);
installTemporalRuntime(logger, { metricsPort: config.TEMPORAL_METRICS_PORT });
startTracing('tandem', config.OTEL_EXPORTER_OTLP_ENDPOINT);
const say = (m: string) => console.log(`[tandem] ${m}`);
const started = Date.now();

let system: Awaited<ReturnType<typeof startSystem>>;
try {
  system = await startSystem(config, logger, say);
} catch (e) {
  // Settings that only make sense together (the Temporal TLS ones) are checked while starting.
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(2);
  }
  console.error(`[tandem] could not start: ${(e as Error).message}`);
  process.exit(1);
}

say(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
say(`  Web app        ${system.publicUrl}/`);
if (system.adminSignInLink) say(`  Sign in        ${system.adminSignInLink}   (as ${system.adminEmail}, the admin; once, within a day)`);
else say(`  Sign in        as ${system.adminEmail} with an emailed link`);
say(`  API            ${system.publicUrl}   (docs: ${system.publicUrl}/docs)`);
if (system.adminKeyCreated) say(`  API key        ${system.adminKey}   (admin; shown this once, kept in ${system.adminKeyFile})`);
else say(`  API key        kept in ${system.adminKeyFile} (admin)`);
say(`                 e.g. curl -H "Authorization: Bearer $(cat ${system.adminKeyFile})" ${system.publicUrl}/partnerships`);
if (system.temporalUiUrl) say(`  Temporal UI    ${system.temporalUiUrl}`);
say(`  Temporal       ${system.temporalAddress} (namespace ${config.TEMPORAL_NAMESPACE})`);
say(`  PostgreSQL     ${system.databaseUrl.replace(/:[^:@/]+@/, ':***@')}`);
if (system.mailCaptureDir) say(`  Mail           captured locally: ${system.publicUrl}/mail (the admin reads everyone's mail there)`);
say('press Ctrl-C to stop');

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    say(`${signal} received, stopping (worker drains, data is kept in ${config.dataDir})`);
    system.stop().then(
      () => {
        say('stopped');
        process.exit(0);
      },
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
}

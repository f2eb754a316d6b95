// Installs what Tandem needs outside npm (the Temporal CLI and the Java test server) into .tools/.
import { loadConfig } from '../lib/config.js';
import { resolveTemporalCli, resolveTestServer } from '../lib/tools/provision.js';

const config = loadConfig();
const say = (m: string) => console.log(`[provision] ${m}`);
const cli = await resolveTemporalCli(config.toolsDir, config.TEMPORAL_CLI_PATH, say);
say(`Temporal CLI: ${cli.path} (${cli.source})`);
const ts = await resolveTestServer(config.toolsDir, config.TEMPORAL_TEST_SERVER_PATH, say);
say(`Temporal test server: ${ts.path} (${ts.source})`);

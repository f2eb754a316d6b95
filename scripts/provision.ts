// Installs what Tandem needs outside npm into .tools/: the Temporal CLI (dev server), the Java
// time-skipping test server, and the Temporal server with its schema tool for TEMPORAL_SERVER=postgres.
import { loadConfig } from '../lib/config.js';
import { resolveTemporalCli, resolveTemporalServer, resolveTestServer } from '../lib/tools/provision.js';

const config = loadConfig();
const say = (m: string) => console.log(`[provision] ${m}`);
const cli = await resolveTemporalCli(config.toolsDir, config.TEMPORAL_CLI_PATH, say);
say(`Temporal CLI: ${cli.path} (${cli.source})`);
const ts = await resolveTestServer(config.toolsDir, config.TEMPORAL_TEST_SERVER_PATH, say);
say(`Temporal test server: ${ts.path} (${ts.source})`);
const server = await resolveTemporalServer(config.toolsDir, say);
say(`Temporal server: ${server.server}, schema tool ${server.sqlTool} (${server.source})`);

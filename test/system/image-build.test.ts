import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../lib/net.js';
import type { DevServer } from '../../lib/temporal/dev-server.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startTestDevServer } from '../support/dev-server.js';
import { startMailbox, waitFor } from '../support/mailbox.js';

/**
 * Docker has no engine here, so the Dockerfile is carried out by hand: its build stage's COPY and
 * RUN steps (npm ci, build, prune) in a scratch directory, then its runtime stage's COPY --from=build,
 * and the result is started with the image's ENTRYPOINT against a real PostgreSQL, Temporal dev
 * server and SMTP server.
 */

const root = path.resolve(import.meta.dirname, '../..');

interface Instruction {
  op: string;
  args: string;
}

function stages(dockerfile: string): Instruction[][] {
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [op = '', ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
  const result: Instruction[][] = [];
  for (const i of instructions) {
    if (i.op === 'FROM') result.push([]);
    result.at(-1)?.push(i);
  }
  return result;
}

const parseEnv = (args: string) => Object.fromEntries([...args.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]]));

async function copyContext(dest: string) {
  const ignored = readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n').filter(Boolean);
  const isIgnored = (rel: string) =>
    ignored.some((p) => (p.startsWith('*') ? rel.endsWith(p.slice(1)) : rel === p || rel.startsWith(`${p}/`)));
  await cp(root, dest, { recursive: true, filter: (src) => !isIgnored(path.relative(root, src)) });
}

describe('the Docker image, built by its own steps and started against the embedded stack', () => {
  let work: string;
  let app: string;
  let runtimeEnv: Record<string, string>;
  let entrypoint: string[];
  let dev: DevServer;
  let mailbox: Awaited<ReturnType<typeof startMailbox>>;
  let database: TestDatabase;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'tandem-image-'));
    await chmod(work, 0o755);
    const build = path.join(work, 'build');
    app = path.join(work, 'app');
    await mkdir(build);
    await mkdir(app);
    const [buildStage = [], runtimeStage = []] = stages(readFileSync(path.join(root, 'Dockerfile'), 'utf8'));

    let buildEnv: Record<string, string> = {};
    for (const { op, args } of buildStage) {
      if (op === 'ENV') buildEnv = { ...buildEnv, ...parseEnv(args) };
      if (op === 'COPY') {
        const parts = args.split(/\s+/);
        const dest = parts.at(-1) as string;
        const intoDirectory = dest.endsWith('/') || parts.length > 2;
        for (const src of parts.slice(0, -1)) {
          if (src === '.') await copyContext(build);
          else {
            const target = path.join(build, dest, intoDirectory ? path.basename(src) : '');
            await cp(path.join(root, src), target, { recursive: true });
          }
        }
      }
      if (op === 'RUN') {
        const started = Date.now();
        const run = spawnSync('sh', ['-c', args], { cwd: build, env: { ...process.env, ...buildEnv }, encoding: 'utf8' });
        console.log(`[image] RUN ${args}: exit ${run.status} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        expect(run.status, `${args}\n${run.stdout}\n${run.stderr}`).toBe(0);
      }
    }

    runtimeEnv = {};
    for (const { op, args } of runtimeStage) {
      if (op === 'ENV') runtimeEnv = { ...runtimeEnv, ...parseEnv(args) };
      const from = args.match(/^--from=build \/app\/(\S+) (\S+)$/);
      if (op === 'COPY' && from) await rename(path.join(build, from[1] as string), path.join(app, from[2] as string));
      if (op === 'ENTRYPOINT') entrypoint = JSON.parse(args);
    }

    dev = await startTestDevServer(work);
    mailbox = await startMailbox();
    database = await createTestDatabase({ migrated: false });
  });

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await database?.drop();
    await mailbox?.stop();
    await dev?.stop();
    await rm(work, { recursive: true, force: true });
  });

  /** Like `docker run tandem <role>`: the image's ENTRYPOINT and ENV, in the runtime stage's files. */
  function start(role: string, env: Record<string, string>, roleArgs: string[] = []) {
    const [command, ...args] = entrypoint;
    expect(command).toBe('node');
    const child = spawn(process.execPath, [...args, role, ...roleArgs], {
      cwd: app,
      env: { PATH: process.env.PATH, ...runtimeEnv, DATABASE_URL: database.url, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const out = { stdout: '', stderr: '' };
    child.stdout?.on('data', (d: Buffer) => {
      out.stdout += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      out.stderr += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, out, exited };
  }

  const jsonLines = (text: string) =>
    text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { name: string; msg: string; level: number });

  it('holds only production dependencies and the prebuilt workflow bundle', async () => {
    expect(existsSync(path.join(app, 'dist/workflow-bundle.js'))).toBe(true);
    expect(existsSync(path.join(app, 'dist/scripts/tandem.js'))).toBe(true);
    expect(await readdir(path.join(app, 'dist/prisma/migrations'))).toEqual(await readdir(path.join(root, 'prisma/migrations')));
    const installed = (name: string) => existsSync(path.join(app, 'node_modules', name, 'package.json'));
    // (typescript stays: @prisma/client declares it as a peer dependency.)
    for (const dev of ['vitest', 'autocannon', '@biomejs/biome', '@temporalio/testing']) expect(installed(dev), dev).toBe(false);
    for (const prod of ['@temporalio/worker', '@prisma/client', 'express', 'nodemailer', 'pino', 'yaml'])
      expect(installed(prod), prod).toBe(true);
  });

  it('migrate: applies every migration to an empty database, then finds nothing to do', async () => {
    const migrations = (await readdir(path.join(root, 'prisma/migrations'), { withFileTypes: true })).filter((e) => e.isDirectory());
    const first = start('migrate', {});
    expect(await first.exited, first.out.stderr).toBe(0);
    const done = jsonLines(first.out.stdout).find((l) => l.msg === 'database migrated') as unknown as { applied: string[] };
    expect(done.applied).toEqual(migrations.map((m) => m.name).sort());
    const second = start('migrate', {});
    expect(await second.exited).toBe(0);
    expect(jsonLines(second.out.stdout).find((l) => l.msg === 'database migrated')).toMatchObject({ applied: [] });
  });

  it('worker and api: serve /ready, run a partnership end to end, and stop gracefully on SIGTERM', async () => {
    const env = {
      TEMPORAL_ADDRESS: dev.address,
      SMTP_URL: mailbox.url,
      TEMPORAL_TASK_QUEUE: 'tandem-image',
      AUTH_SECRET: 'image-test-secret-of-at-least-32-characters',
    };
    const healthPort = await freePort();
    const apiPort = await freePort();
    const worker = start('worker', { ...env, WORKER_HEALTH_PORT: String(healthPort) });
    const api = start('api', { ...env, PORT: String(apiPort) });
    const ready = (port: number) => async () => (await fetch(`http://localhost:${port}/ready`).catch(() => undefined))?.ok;
    await waitFor('the worker to be ready', ready(healthPort));
    await waitFor('the API to be ready', ready(apiPort));
    const keygen = start('api-key', {}, ['--name', 'image test', '--role', 'admin']);
    expect(await keygen.exited, keygen.out.stderr).toBe(0);
    const auth = { authorization: `Bearer ${keygen.out.stdout.trim()}` };
    expect(keygen.out.stdout).toMatch(/^tdm_[\w-]{43}\n$/);

    const firstReviewAt = new Date(Date.now() + 10_000);
    const res = await fetch(`http://localhost:${apiPort}/partnerships`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({
        name: 'Harbor math',
        district: { name: 'Harbor USD' },
        partner: { name: 'Numeracy Partners' },
        timeZone: 'America/Los_Angeles',
        firstReviewAt: firstReviewAt.toISOString(),
        reminderOffsets: ['PT5S'],
        members: [{ name: 'Kim Lee', email: 'kim@harbor.example', role: 'district_lead' }],
      }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const reminder = await waitFor('the review reminder', async () =>
      (await mailbox.messages()).find((m) => m.subject === 'Reminder: review #1 of Harbor math'),
    );
    expect(reminder.envelopeTo).toEqual(['kim@harbor.example']);
    const live = (await (await fetch(`http://localhost:${apiPort}/partnerships/${id}/live`, { headers: auth })).json()) as {
      sentReminders: unknown[];
      nextReviewAt: string;
    };
    expect(live.sentReminders).toHaveLength(1);
    expect(live.nextReviewAt).toBe(firstReviewAt.toISOString());
    // Both roles serve their metrics: the worker on its health port.
    const workerMetrics = await (await fetch(`http://localhost:${healthPort}/metrics`)).text();
    expect(workerMetrics).toMatch(/^tandem_outbox_copies\{status="sent",template="review-reminder",service="worker"\} 1$/m);
    expect(await (await fetch(`http://localhost:${apiPort}/metrics`)).text()).toMatch(
      /^tandem_http_requests_total\{method="POST",route="\/partnerships",status="201",service="api"\} 1$/m,
    );

    worker.child.kill('SIGTERM');
    api.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(await api.exited).toBe(0);
    for (const [proc, name] of [
      [worker, 'tandem-worker'],
      [api, 'tandem-api'],
    ] as const) {
      const lines = jsonLines(proc.out.stdout);
      expect(new Set(lines.map((l) => l.name))).toEqual(new Set([name]));
      expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['stopping gracefully', 'stopped']));
      expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    }
  });
});

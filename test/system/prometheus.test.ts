import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { createApiKey } from '../../lib/auth/api-keys.js';
import { freePort } from '../../lib/net.js';
import { waitFor } from '../support/mailbox.js';
import type { RoleProcess } from '../support/role-process.js';
import { useRoleStack } from '../support/roles.js';

/**
 * The operator's monitoring as shipped in ops/prometheus/: the alert rules pass `promtool`'s check and
 * their unit tests, and a real Prometheus (Debian's `prometheus` package; `.ci/run` installs it), run
 * with ops/prometheus/prometheus.yml pointed at the production roles, scrapes them, evaluates every
 * rule without error and raises the worker alerts when the worker is killed.
 */
const ops = path.resolve(import.meta.dirname, '../../ops/prometheus');
const tool = (name: string) => {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
  if (!found)
    throw new Error(`${name} is not installed: install Debian's prometheus package (apt-get install prometheus), as .ci/run does`);
  return found;
};

describe('promtool', () => {
  it('finds the alert rules well formed and their unit tests passing', () => {
    const check = spawnSync(tool('promtool'), ['check', 'rules', 'alerts.yml'], { cwd: ops, encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toMatch(/SUCCESS: 8 rules found/);
    const tests = spawnSync(tool('promtool'), ['test', 'rules', 'alerts.test.yml'], { cwd: ops, encoding: 'utf8' });
    expect(tests.status, tests.stdout + tests.stderr).toBe(0);
    expect(tests.stdout).toMatch(/SUCCESS/);
    const config = spawnSync(tool('promtool'), ['check', 'config', 'prometheus.yml'], { cwd: ops, encoding: 'utf8' });
    expect(config.status, config.stdout + config.stderr).toBe(0);
  });
});

describe('a real Prometheus scraping the production roles', () => {
  const stack = useRoleStack('prometheus');
  let api: RoleProcess;
  let worker: RoleProcess;
  let sdkPort: number;
  let prometheus: ChildProcess;
  let prometheusUrl: string;

  beforeAll(async () => {
    sdkPort = await freePort();
    worker = await stack.start('worker', { TEMPORAL_METRICS_PORT: String(sdkPort) });
    api = await stack.start('api');

    // The shipped configuration, its targets pointed here and its intervals shortened for a test.
    const config = parse(await readFile(path.join(ops, 'prometheus.yml'), 'utf8')) as {
      global: Record<string, string>;
      rule_files: string[];
      scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
    };
    const targets: Record<string, string> = {
      'tandem-api': `localhost:${api.port}`,
      'tandem-worker': `localhost:${worker.port}`,
      'tandem-worker-sdk': `localhost:${sdkPort}`,
    };
    expect(config.scrape_configs.map((s) => s.job_name).sort()).toEqual(Object.keys(targets).sort());
    for (const job of config.scrape_configs) job.static_configs = [{ targets: [targets[job.job_name] as string] }];
    config.global = { scrape_interval: '1s', evaluation_interval: '1s' };
    config.rule_files = config.rule_files.map((f) => path.join(ops, f));
    await writeFile(path.join(stack.dir, 'prometheus.yml'), stringify(config));
    const port = await freePort();
    prometheusUrl = `http://localhost:${port}`;
    prometheus = spawn(
      tool('prometheus'),
      [
        `--config.file=${path.join(stack.dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(stack.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    prometheus.stderr?.on('data', (d: Buffer) => {
      log += d.toString();
    });
    await waitFor('Prometheus to be ready', async () => {
      if (prometheus.exitCode !== null) throw new Error(`prometheus exited:\n${log}`);
      return (await fetch(`${prometheusUrl}/-/ready`).catch(() => undefined))?.ok;
    });
  });

  afterAll(() => {
    prometheus?.kill('SIGKILL');
  });

  type Sample = { metric: Record<string, string>; value: [number, string] };
  const query = async (promql: string): Promise<Sample[]> => {
    const res = await fetch(`${prometheusUrl}/api/v1/query?${new URLSearchParams({ query: promql })}`);
    const body = (await res.json()) as { status: string; data: { result: Sample[] }; error?: string };
    if (body.status !== 'success') throw new Error(`${promql}: ${body.error}`);
    return body.data.result;
  };
  const scalar = async (promql: string) => {
    const [first] = await query(promql);
    return first ? Number(first.value[1]) : undefined;
  };
  type Alert = { labels: Record<string, string>; state: string };
  type Rule = { name: string; health: string; lastError?: string };
  const rules = async () =>
    ((await (await fetch(`${prometheusUrl}/api/v1/rules`)).json()) as { data: { groups: Array<{ rules: Rule[] }> } }).data.groups.flatMap(
      (g) => g.rules,
    );
  const alerts = async () => ((await (await fetch(`${prometheusUrl}/api/v1/alerts`)).json()) as { data: { alerts: Alert[] } }).data.alerts;

  it('scrapes the API, the worker and the Temporal SDK, counts what happened, evaluates every rule, and alerts when the worker dies', async () => {
    await waitFor('all three targets up', async () => (await query('up == 1')).length === 3);

    const key = (await createApiKey(stack.database.db, { name: 'prometheus test', role: 'admin' })).secret;
    const firstReviewAt = new Date(Date.now() + 8_000);
    const res = await fetch(`http://localhost:${api.port}/partnerships`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({
        name: 'Scraped literacy',
        district: { name: 'Scrape USD' },
        partner: { name: 'Scrape Partners' },
        timeZone: 'America/Chicago',
        firstReviewAt: firstReviewAt.toISOString(),
        reminderOffsets: ['PT4S'],
        members: [
          { name: 'Ana Ruiz', email: 'ana@scrape.example', role: 'district_lead' },
          { name: 'Ben Ode', email: 'ben@scrape.example', role: 'partner_lead' },
        ],
      }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    await waitFor(
      'the reminders',
      async () => (await stack.mailbox.messages()).filter((m) => m.subject.startsWith('Reminder:')).length === 2,
    );

    // Tandem's own, through Prometheus: the request by its route, each copy's lateness on the worker.
    await waitFor('the request counted', async () =>
      (await scalar('tandem_http_requests_total{job="tandem-api",route="/partnerships",method="POST",status="201"}')) === 1
        ? true
        : undefined,
    );
    await waitFor('the reminders timed', async () =>
      (await scalar('sum(tandem_mail_lateness_seconds_count{job="tandem-worker",template="review-reminder"})')) === 2 ? true : undefined,
    );
    // Each reminder left within a minute of its time (the worker polls; nothing here is loaded enough to be later).
    expect(await scalar('sum(tandem_mail_lateness_seconds_bucket{job="tandem-worker",template="review-reminder",le="60"})')).toBe(2);
    expect(await scalar('max(tandem_worker_running{job="tandem-worker"})')).toBe(1);
    expect(await scalar('max(tandem_outbox_copies{status="sent",template="review-reminder"})')).toBe(2);
    // The SDK's: its pollers, and the activities it ran: the reminders (local activities, in the
    // workflow's task) and, once the partnership is paused (an update, whose work is an activity), an activity.
    const { id } = (await res.json()) as { id: string };
    const paused = await fetch(`http://localhost:${api.port}/partnerships/${id}/pause`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: '{}',
    });
    expect(paused.status).toBe(200);
    await waitFor('the SDK metrics', async () => (await query('temporal_num_pollers{job="tandem-worker-sdk"}')).length > 0);
    await waitFor('the activities counted', async () =>
      ((await scalar('sum(temporal_local_activity_execution_latency_seconds_count{job="tandem-worker-sdk"})')) ?? 0) > 0 &&
      ((await scalar('sum(temporal_activity_execution_latency_seconds_count{job="tandem-worker-sdk"})')) ?? 0) > 0
        ? true
        : undefined,
    );
    // The series the alerts read are there under the names alerts.yml gives them.
    const names = (await query('count by (__name__) ({job="tandem-worker-sdk"})')).map((x) => x.metric.__name__);
    expect(names).toEqual(
      expect.arrayContaining([
        'temporal_activity_schedule_to_start_latency_seconds_bucket',
        'temporal_workflow_task_schedule_to_start_latency_seconds_bucket',
        'temporal_worker_task_slots_available',
      ]),
    );

    // Every rule evaluates (a rule whose query breaks has health "err"), and nothing fires on a healthy system.
    const evaluated = await waitFor('every rule evaluated', async () => {
      const now = await rules();
      return now.length > 0 && now.every((r) => r.health === 'ok') ? now : undefined;
    });
    expect(evaluated.map((r) => r.name).sort()).toEqual([
      'TandemActivityFailing',
      'TandemApiErrors',
      'TandemMailFailed',
      'TandemMailUnconfirmed',
      'TandemMailWaiting',
      'TandemNoWorker',
      'TandemTasksWaitForWorkers',
      'TandemWorkerDown',
    ]);
    expect(await alerts()).toEqual([]);

    // The worker dies: its target goes down and nothing polls; both alerts are raised (pending for 5 minutes, then firing).
    await worker.stop('SIGKILL');
    const raised = await waitFor('the worker alerts', async () => {
      const names = (await alerts()).map((a) => a.labels.alertname).sort();
      return names.includes('TandemWorkerDown') && names.includes('TandemNoWorker') ? await alerts() : undefined;
    });
    expect(raised.find((a) => a.labels.alertname === 'TandemWorkerDown')).toMatchObject({
      state: 'pending',
      labels: { job: 'tandem-worker', instance: `localhost:${worker.port}`, severity: 'ticket' },
    });
    expect(raised.find((a) => a.labels.alertname === 'TandemNoWorker')).toMatchObject({ state: 'pending', labels: { severity: 'page' } });
  });
});

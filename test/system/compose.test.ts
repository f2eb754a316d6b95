import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROLES, type Role } from '../../boot/roles.js';
import { CONFIG_VARIABLES, loadConfig } from '../../lib/config.js';
import { TEMPORAL_SERVER_VERSION } from '../../lib/tools/provision.js';

// Docker has no engine on this machine, so `docker compose up` cannot run here. What can be checked
// without it is checked: the file parses, and what the app reads, where it connects and what the
// health checks probe agree with the code. test/system/image-build.test.ts probes those endpoints.

const root = path.resolve(import.meta.dirname, '../..');

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
  profiles?: string[];
  stop_grace_period?: string;
  restart?: string;
}

const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;
const tandem = Object.entries(services).filter(([, s]) => s.build === '.');
/** The shell environment `docker compose up` is given in these tests. */
const shell: Record<string, string> = { AUTH_SECRET: 'a-secret-from-the-environment-0123456789' };

/** Compose's interpolation of `${NAME}`, `${NAME:-default}` and `${NAME:?error}` from `environment`. */
function interpolate(value: string, environment: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_, name: string, op?: string, arg?: string) => {
    const set = environment[name];
    if (set) return set;
    if (op === '?') throw new Error(`${name}: ${arg}`);
    return op === '-' ? (arg ?? '') : '';
  });
}
const env = (s: Service, environment = shell) =>
  Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), environment)]));
const roleOf = (s: Service) => s.command?.[0] as Role;

/** Every service `name` needs, directly or through the services it waits for. */
function dependencies(name: string, seen = new Set<string>()): Set<string> {
  for (const dep of Object.keys(services[name]?.depends_on ?? {})) {
    if (!seen.has(dep)) {
      seen.add(dep);
      dependencies(dep, seen);
    }
  }
  return seen;
}

const containerPorts = (s: Service) => (s.ports ?? []).map((p) => Number(p.split(':').at(-1)));

describe('docker-compose.yml', () => {
  it('runs every role of the one Tandem image, and the services they need', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['api', 'mailpit', 'migrate', 'postgres', 'prometheus', 'temporal', 'temporal-db', 'temporal-ui', 'worker'].sort(),
    );
    expect(tandem.map(([name, s]) => [name, roleOf(s), s.image])).toEqual([
      ['migrate', 'migrate', 'tandem:latest'],
      ['worker', 'worker', 'tandem:latest'],
      ['api', 'api', 'tandem:latest'],
    ]);
    for (const [name, s] of Object.entries(services)) {
      for (const dep of Object.keys(s.depends_on ?? {})) expect(services[dep], `${name} depends on ${dep}`).toBeDefined();
    }
  });

  it.each(tandem.map(([name]) => name))('%s: sets what its role needs, only variables the app reads, and valid values', (name) => {
    const s = services[name] as Service;
    const vars = env(s);
    for (const required of ROLES[roleOf(s)]) expect(vars[required], `${name} needs ${required}`).toBeTruthy();
    for (const key of Object.keys(vars)) expect(CONFIG_VARIABLES, `${name} sets ${key}`).toContain(key);
    expect(() => loadConfig(vars)).not.toThrow();
  });

  it.each(tandem.map(([name]) => name))('%s: connects to services of this file that it waits for, on their ports', (name) => {
    const s = services[name] as Service;
    const vars = env(s);
    const needs = dependencies(name);

    const db = new URL(vars.DATABASE_URL as string);
    const postgres = services[db.hostname] as Service;
    expect(needs).toContain(db.hostname);
    expect(postgres.depends_on ?? {}).toEqual({});
    expect(env(postgres)).toMatchObject({ POSTGRES_USER: db.username, POSTGRES_PASSWORD: db.password, POSTGRES_DB: db.pathname.slice(1) });
    expect(Number(db.port)).toBe(5432);
    expect(dependencies(name).has('postgres') && services.postgres?.healthcheck).toBeTruthy();
    if (roleOf(s) === 'migrate') return;

    const [temporalHost, temporalPort] = (vars.TEMPORAL_ADDRESS as string).split(':');
    expect(needs).toContain(temporalHost);
    // The same server version as the one TEMPORAL_SERVER=postgres builds and test/system/temporal-postgres.test.ts runs.
    expect(services[temporalHost as string]?.image).toBe(`temporalio/auto-setup:${TEMPORAL_SERVER_VERSION}`);
    expect(containerPorts(services[temporalHost as string] as Service)).toContain(Number(temporalPort));
    expect(s.depends_on?.[temporalHost as string]?.condition).toBe('service_healthy');

    const smtp = new URL(vars.SMTP_URL as string);
    expect(needs).toContain(smtp.hostname);
    expect(services[smtp.hostname]?.image).toMatch(/^axllent\/mailpit:/);
    expect(containerPorts(services[smtp.hostname] as Service)).toContain(Number(smtp.port));

    // The schema must be in place before anything reads or writes.
    expect(s.depends_on?.migrate?.condition).toBe('service_completed_successfully');
  });

  it('takes secrets from the environment, and refuses to start without them', () => {
    for (const name of ['worker', 'api']) {
      const s = services[name] as Service;
      expect(String(s.environment?.AUTH_SECRET)).toMatch(/^\$\{AUTH_SECRET:\?.+\}$/);
      expect(() => env(s, {}), name).toThrow(/AUTH_SECRET: set AUTH_SECRET .*openssl rand/);
    }
  });

  it('health checks probe the port each role serves /ready on', () => {
    const probed = (s: Service) => {
      const url = s.healthcheck?.test.join(' ').match(/http:\/\/localhost:(\d+)(\/\w+)/);
      return url ? { port: Number(url[1]), path: url[2] } : undefined;
    };
    const api = services.api as Service;
    const worker = services.worker as Service;
    expect(probed(api)).toEqual({ port: loadConfig(env(api)).PORT, path: '/ready' });
    expect(probed(worker)).toEqual({ port: loadConfig(env(worker)).WORKER_HEALTH_PORT, path: '/ready' });
    expect(api.ports).toContain(`${loadConfig(env(api)).PORT}:${loadConfig(env(api)).PORT}`);
    for (const name of ['postgres', 'temporal-db', 'temporal', 'mailpit']) expect(services[name]?.healthcheck, name).toBeDefined();
  });

  it('gives the worker and the API longer to stop than they take to drain; the migration runs once', () => {
    for (const name of ['worker', 'api']) {
      const s = services[name] as Service;
      const grace = Number(s.stop_grace_period?.replace(/s$/, ''));
      expect(grace).toBeGreaterThan(loadConfig(env(s)).SHUTDOWN_GRACE_SECONDS);
      expect(s.restart).toBe('unless-stopped');
    }
    expect(services.migrate?.restart).toBe('no');
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

  it('monitoring: Prometheus, on request, scrapes each role where it serves its metrics, with the shipped alerts', () => {
    const prometheus = services.prometheus as Service;
    expect(prometheus.profiles).toEqual(['monitoring']);
    expect(prometheus.volumes).toEqual(['./ops/prometheus:/etc/prometheus:ro']);
    const config = parse(readFileSync(path.join(root, 'ops/prometheus/prometheus.yml'), 'utf8')) as {
      rule_files: string[];
      scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
    };
    expect(config.rule_files).toEqual(['alerts.yml']);
    const targets = Object.fromEntries(config.scrape_configs.map((j) => [j.job_name, j.static_configs.flatMap((c) => c.targets)]));
    const worker = env(services.worker as Service);
    expect(targets).toEqual({
      'tandem-api': [`api:${env(services.api as Service).PORT}`],
      'tandem-worker': [`worker:${worker.WORKER_HEALTH_PORT}`],
      'tandem-worker-sdk': [`worker:${worker.TEMPORAL_METRICS_PORT}`],
    });
  });

  it('runs the compiled entry point as a non-root user, with only what production needs', () => {
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^ENTRYPOINT \["node", "dist\/scripts\/tandem.js"\]$/m);
    const defaultRole = JSON.parse(runtime.match(/^CMD (.*)$/m)?.[1] ?? '[]')[0];
    expect(Object.keys(ROLES)).toContain(defaultRole);
    const copied = [...runtime.matchAll(/^COPY --from=build \/app\/(\S+)/gm)].map((m) => m[1]);
    expect(copied).toEqual(['package.json', 'node_modules', 'dist']);
    expect(dockerfile).toMatch(/^RUN npm prune --omit=dev --omit=optional$/m);
  });
});

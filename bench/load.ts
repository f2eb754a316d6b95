import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import type pg from 'pg';
import { freePort } from '../lib/net.js';

const run = promisify(execFile);

export interface LoadResult {
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  seconds: number;
  /** The first answer that was not a success: status and the start of its body. */
  firstRefusal?: string;
}

/** One autocannon run in its own process (bench/load-client.ts). */
export async function load(job: Record<string, unknown>): Promise<LoadResult> {
  // The job goes by stdin: a list of 2,000 paths is more than one command-line argument may hold.
  const running = run(process.execPath, ['--import', 'tsx', 'bench/load-client.ts'], { maxBuffer: 16 << 20 });
  running.child.stdin?.end(JSON.stringify(job));
  const { stdout } = await running;
  return JSON.parse(stdout.trim().split('\n').at(-1) as string) as LoadResult;
}

export async function helloWorld(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/hello-world.ts', String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`hello-world exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

/**
 * `count` partnerships of 5 members each (`m<i>.<n>@<domain>`, n the request's number), created
 * through the API by 8 clients at once: what the load benchmarks start from. `{{spread}}` in the
 * reminder offsets takes the values of `spread` (see bench/load-client.ts).
 */
export async function createPartnerships(
  apiUrl: string,
  headers: Record<string, string>,
  opts: { count: number; name: string; firstReviewAt: string; reminderOffsets: string[]; spread?: { from: number; to: number } },
): Promise<LoadResult> {
  const domain = `${opts.name.toLowerCase()}.example`;
  const created = await load({
    url: apiUrl,
    connections: 8,
    amount: opts.count,
    method: 'POST',
    headers,
    paths: ['/partnerships'],
    spread: opts.spread,
    body: JSON.stringify({
      name: `${opts.name} {{n}}`,
      district: { name: `${opts.name} USD` },
      partner: { name: `${opts.name} Partners` },
      timeZone: 'America/Chicago',
      firstReviewAt: opts.firstReviewAt,
      reminderOffsets: opts.reminderOffsets,
      members: ['district_lead', 'partner_lead', 'executive_sponsor', 'participant', 'participant'].map((role, i) => ({
        name: `Member ${i} of {{n}}`,
        email: `m${i}.{{n}}@${domain}`,
        role,
      })),
    }),
  });
  if (created.non2xx || created.errors) throw new Error(`creating partnerships failed: ${JSON.stringify(created)}`);
  return created;
}

/** Says every 30 s how many rows `table` has while `work` runs: at 10,000 partnerships a stage takes minutes. */
async function counting<T>(sql: pg.Client, table: string, total: number, progress: (m: string) => void, work: Promise<T>): Promise<T> {
  const timer = setInterval(() => {
    sql.query(`SELECT count(*) AS n FROM ${table}`).then(
      (r) => progress(`${table.replace('_', ' ')}: ${r.rows[0].n} of ${total} created`),
      () => {},
    );
  }, 30_000);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

/**
 * What the holding benchmarks create through the API, 8 clients at once: `count` partnerships of 5
 * members (createPartnerships), then 3 open commitments and an evidence request in each. Returns
 * the rates of each kind and the partnerships' ids in the order of their numbers.
 */
export async function createHoldings(
  apiUrl: string,
  headers: Record<string, string>,
  sql: pg.Client,
  opts: { count: number; name: string; firstReviewAt: string; reminderOffsets: string[]; spread?: { from: number; to: number } },
  report: (what: string, r: LoadResult) => void | Promise<void>,
  progress: (message: string) => void = () => {},
) {
  const partnerships = await counting(sql, 'partnership', opts.count, progress, createPartnerships(apiUrl, headers, opts));
  await report('partnerships', partnerships);
  // Paths in the order of the partnerships' numbers, so that {{k}} names the partnership's members.
  const prefix = `${opts.name} `;
  const ids = (
    await sql.query(`SELECT id FROM partnership WHERE starts_with(name, $1) ORDER BY substr(name, $2)::int`, [prefix, prefix.length + 1])
  ).rows.map((r) => r.id as string);
  const domain = `${opts.name.toLowerCase()}.example`;
  const dueAt = new Date(Date.now() + 60 * 86_400_000).toISOString();
  const items = async (what: string, amount: number, body: unknown) => {
    const table = what === 'commitments' ? 'commitment' : 'evidence_request';
    const r = await counting(
      sql,
      table,
      amount,
      progress,
      load({
        url: apiUrl,
        connections: 8,
        amount,
        method: 'POST',
        headers,
        paths: ids.map((id) => `/partnerships/${id}/${what}`),
        body: JSON.stringify(body),
      }),
    );
    if (r.non2xx || r.errors) throw new Error(`creating ${what} failed: ${JSON.stringify(r)}`);
    await report(what, r);
    return r;
  };
  const commitments = await items('commitments', 3 * opts.count, {
    ownerEmail: `m0.{{k}}@${domain}`,
    side: 'district',
    description: 'Commitment {{n}}',
    dueAt,
  });
  const evidence = await items('evidence-requests', opts.count, {
    ownerEmail: `m1.{{k}}@${domain}`,
    description: 'Observation notes {{n}}',
    kinds: ['observation'],
    dueAt,
  });
  return { partnerships, commitments, evidence, ids };
}

import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import pg from 'pg';
import { createHttpApp } from '../boot/http.js';
import { createAuth } from '../lib/auth/better-auth.js';
import { createSealer } from '../lib/auth/sealed.js';
import type { Db } from '../lib/db/client.js';
import { startEmbeddedPostgres } from '../lib/db/embedded.js';
import { migrate } from '../lib/db/migrate.js';
import { listen } from '../lib/http-server.js';
import { createLogger } from '../lib/logger.js';
import { createMailer } from '../lib/mail/mailer.js';
import { freePort } from '../lib/net.js';

export const say = (m: string) => console.log(`[bench] ${m}`);

/** The value at fraction `p` (0.5, 0.99) of figures sorted in ascending order; 0 for none. */
export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

/** A migrated embedded PostgreSQL in a scratch directory, for one benchmark run; removed afterwards. */
export async function withBenchDatabase(run: (url: string, scratchDir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tandem-bench-'));
  // PostgreSQL runs as its own user, which must reach its data directory.
  await chmod(dir, 0o755);
  const database = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort(), database: 'bench' });
  try {
    await migrate(database.url);
    await run(database.url, dir);
  } finally {
    await database.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Seeds `partnerships` active partnerships named "<label> 1..n" (a district and a partner named after
 * the label), each with `members` participants (<label-lowercase><n>@…), in one round of SQL: what the
 * benchmarks that send reminders start from.
 */
export async function seedActivePartnerships(
  sql: pg.Client,
  o: { label: string; partnerships: number; members: number; reminderOffset: string },
): Promise<void> {
  const domain = `${o.label.toLowerCase()}.example`;
  await sql.query(`
    INSERT INTO organization (id, kind, name, time_zone) VALUES
      (gen_random_uuid(), 'district', '${o.label} USD', 'America/Chicago'), (gen_random_uuid(), 'partner', '${o.label} Partners', 'America/Chicago');
    INSERT INTO partnership (id, name, district_id, partner_id, status, time_zone, reminder_offsets)
      SELECT gen_random_uuid(), '${o.label} ' || g, (SELECT id FROM organization WHERE name = '${o.label} USD'),
             (SELECT id FROM organization WHERE name = '${o.label} Partners'), 'active', 'America/Chicago', ARRAY['${o.reminderOffset}']
      FROM generate_series(1, ${o.partnerships}) g;
    INSERT INTO person (id, email, name)
      SELECT gen_random_uuid(), 'member' || g || '@${domain}', 'Member ' || g FROM generate_series(1, ${o.partnerships * o.members}) g;
    WITH p AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM partnership WHERE name LIKE '${o.label} %'),
         m AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM person WHERE email LIKE '%@${domain}')
    INSERT INTO partnership_member (partnership_id, person_id, role)
      SELECT p.id, m.id, 'participant' FROM m JOIN p ON p.n = m.n / ${o.members};
  `);
}

/**
 * Seeds `partnerships` partnerships in `cohorts` cohorts (one district each, 20 partners, four owners
 * per partnership) and `commitments` commitments spread over them, with due dates over a year around
 * now (or, with `allPast`, over the past year), statuses cycling through `statuses`; open ones past
 * due become overdue, as the deadline workflow leaves them.
 */
export async function seedCommitments(
  sql: pg.Client,
  opts: { partnerships: number; cohorts: number; commitments: number; statuses: string[]; allPast?: boolean },
): Promise<void> {
  const { partnerships, cohorts, commitments } = opts;
  await sql.query(`
    INSERT INTO cohort (id, name) SELECT gen_random_uuid(), 'Cohort ' || g FROM generate_series(1, ${cohorts}) g;
    INSERT INTO organization (id, kind, name, time_zone)
      SELECT gen_random_uuid(), 'district', 'District ' || g, 'America/Chicago' FROM generate_series(1, ${partnerships}) g;
    INSERT INTO organization (id, kind, name, time_zone)
      SELECT gen_random_uuid(), 'partner', 'Partner ' || g, 'America/Chicago' FROM generate_series(1, 20) g;
    INSERT INTO partnership (id, name, district_id, partner_id, cohort_id, status, time_zone, reminder_offsets)
      SELECT gen_random_uuid(), 'Partnership ' || d.n, d.id, p.id, c.id, 'active', 'America/Chicago', ARRAY['P14D']
      FROM (SELECT id, row_number() OVER (ORDER BY name) AS n FROM organization WHERE kind = 'district') d
      JOIN (SELECT id, row_number() OVER (ORDER BY name) AS n FROM organization WHERE kind = 'partner') p ON p.n = d.n % 20 + 1
      JOIN (SELECT id, row_number() OVER (ORDER BY name) AS n FROM cohort) c ON c.n = d.n % ${cohorts} + 1;
    INSERT INTO person (id, email, name)
      SELECT gen_random_uuid(), 'owner' || g || '@bench.example', 'Owner ' || g FROM generate_series(1, ${partnerships * 4}) g;
  `);
  const statuses = opts.statuses.map((s) => `'${s.replace(/[^a-z_]/g, '')}'`).join(', ');
  const from = opts.allPast ? `now() - interval '366 days'` : `now() - interval '180 days'`;
  await sql.query(`
    WITH p AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM partnership),
         o AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM person)
    INSERT INTO commitment (id, partnership_id, owner_id, side, description, due_at, status)
    SELECT gen_random_uuid(), p.id, o.id, 'district', 'Commitment ' || g,
           ${from} + (random() * interval '365 days'),
           (ARRAY[${statuses}])[1 + (g / ${partnerships}) % ${opts.statuses.length}]::"CommitmentStatus"
    FROM generate_series(1, ${commitments}) g
    JOIN p ON p.n = g % ${partnerships} + 1
    JOIN o ON o.n = g % ${partnerships * 4} + 1;
    UPDATE commitment SET status = 'overdue' WHERE status = 'open' AND due_at < now();
    ANALYZE;
  `);
}

const BENCH_SECRET = 'bench-secret-bench-secret-bench-secret';

const benchAuth = (db: Db) =>
  createAuth({
    db,
    publicUrl: 'http://bench',
    secret: BENCH_SECRET,
    signInLinkTtlSeconds: 3600,
    sessionTtlSeconds: 3600,
    providers: [],
    deliverSignInLink: async () => {},
  });

/** A signed-in session's cookie for the bench server, made by the real sign-in (a link, verified). */
export async function benchSessionCookie(db: Db, person: { id: string; email: string }): Promise<string> {
  const auth = benchAuth(db);
  const token = await auth.mintSignInToken(person.email);
  const answer = await auth.auth.api.magicLinkVerify({ query: { token, callbackURL: '/' }, headers: new Headers(), asResponse: true });
  const cookie = answer.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  if (!cookie.includes('session_token')) throw new Error(`no session from the sign-in link (${answer.status})`);
  return cookie;
}

/** The real HTTP app on a free port, over the bench database; the Temporal client is never asked (it connects lazily). */
export function benchServer(db: Db) {
  return listen(
    () =>
      createHttpApp({
        db,
        temporal: new Client(),
        mailer: createMailer('smtp://127.0.0.1:1', 'bench@example'),
        logger: createLogger('warn', 'bench'),
        auth: benchAuth(db),
        namespace: 'default',
        taskQueue: 'bench',
        publicUrl: 'http://bench',
        mailGiveUpAfterMs: 86_400_000,
        taskLinks: { linkTtlMs: 86_400_000, grantTtlMs: 3_600_000 },
        secret: BENCH_SECRET,
        sealer: createSealer(BENCH_SECRET),
      }),
    0,
  );
}

/**
 * A connection of the bench's own to the database, for seeding and polling. An error on it (the
 * server stopping under it, as when the bench is interrupted) rejects its queries instead of
 * crashing the process before the system it started is stopped.
 */
export async function connectSql(url: string): Promise<pg.Client> {
  const sql = new pg.Client({ connectionString: url });
  sql.on('error', (e) => say(`the bench's database connection: ${e.message}`));
  await sql.connect();
  return sql;
}

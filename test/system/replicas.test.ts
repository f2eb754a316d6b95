import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY_CACHE_MS, createApiKey } from '../../lib/auth/api-keys.js';
import { MAILER_CONNECTIONS } from '../../lib/config.js';
import { createDb, type Db } from '../../lib/db/client.js';
import { freePort } from '../../lib/net.js';
import { openForm, submitForm } from '../support/forms.js';
import { type HostedStack, startHostedStack } from '../support/hosted.js';
import { waitFor } from '../support/mailbox.js';
import { type RoleProcess, startRole } from '../support/role-process.js';

const root = path.resolve(import.meta.dirname, '../..');

/**
 * Tandem as a host runs it: two `tandem api` and two `tandem worker` processes (the production entry
 * points) on one database and one Temporal server on PostgreSQL, behind an imagined load balancer that
 * sends requests to one API and the other in turn. What one replica did holds on the other, and a
 * worker killed outright in the middle of a burst of reminders leaves the survivor to finish it with
 * nothing sent twice.
 */
describe('two APIs and two workers on the Temporal server on PostgreSQL', () => {
  let hosted: HostedStack;
  let db: Db;
  let env: Record<string, string>;
  let apis: RoleProcess[] = [];
  let workers: RoleProcess[] = [];
  let key: string;
  const base = (i: number) => `http://localhost:${apis[i % 2]?.port}`;

  /** `tandem <args>` to its end: its exit code and what it logged. */
  const runOnce = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/tandem.ts', ...args], {
        cwd: root,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let stdout = '';
      child.stdout?.on('data', (d: Buffer) => {
        stdout += d.toString();
      });
      child.once('exit', (code) => resolve({ code, stdout }));
    });

  beforeAll(async () => {
    hosted = await startHostedStack('replicas');
    const publicPort = await freePort();
    env = {
      ...hosted.env,
      // The load balancer's address, in every link; the test sends each request to one API or the other.
      PUBLIC_URL: `http://localhost:${publicPort}`,
    };
    // Two migrations at once, as two containers starting together would run them: the lock lets one apply.
    const [m1, m2] = await Promise.all([runOnce(['migrate']), runOnce(['migrate'])]);
    expect([m1.code, m2.code]).toEqual([0, 0]);
    const applied = [m1, m2].map(
      (m) => (JSON.parse(m.stdout.split('\n').find((l) => l.includes('"database migrated"')) ?? '{}') as { applied: string[] }).applied,
    );
    expect(applied.map((a) => a.length).sort((a, b) => a - b)[0]).toBe(0);
    db = createDb(hosted.pg.url);
    const migrations = await db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM _prisma_migrations`;
    expect(Number(migrations[0]?.n)).toBe(Math.max(...applied.map((a) => a.length)));
    workers = await Promise.all([startRole('worker', env), startRole('worker', env)]);
    apis = await Promise.all([startRole('api', env), startRole('api', env)]);
    key = (await createApiKey(db, { name: 'replicas test', role: 'admin' })).secret;
  });

  afterAll(async () => {
    for (const p of [...apis, ...workers]) await p.stop('SIGKILL');
    await db?.$disconnect();
    await hosted?.stop();
  });

  let calls = 0;
  /** One API request, to one replica and the next to the other. */
  const call = async (method: string, p: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base(calls++)}${p}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json().catch(() => null)) as Record<string, unknown> };
  };
  const partnership = (name: string, firstReviewAt: Date, members: string[], offsets: string[] = ['P1D']) => ({
    name,
    district: { name: `${name} USD` },
    partner: { name: `${name} Partners` },
    timeZone: 'America/Chicago',
    firstReviewAt: firstReviewAt.toISOString(),
    reminderOffsets: offsets,
    members: members.map((email, i) => ({
      name: `Member ${i}`,
      email,
      role: i === 0 ? 'district_lead' : i === 1 ? 'partner_lead' : 'participant',
    })),
  });

  it('agree: what one API recorded, the other reads; an Idempotency-Key replays there; sign-in limits count both; a link used on one is refused on the other; a revoked key stops on both', async () => {
    const created = await call(
      'POST',
      '/partnerships',
      partnership('Agreeing', new Date(Date.now() + 30 * 86_400_000), ['ana@agree.example', 'bo@agree.example']),
    );
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    const read = await call('GET', `/partnerships/${id}`);
    expect([read.status, read.json.name]).toEqual([200, 'Agreeing']);

    const commitment = {
      ownerEmail: 'ana@agree.example',
      side: 'district',
      description: 'Share the plan',
      dueAt: new Date(Date.now() + 20 * 86_400_000).toISOString(),
    };
    const first = await call('POST', `/partnerships/${id}/commitments`, commitment, { 'idempotency-key': 'replicas-1' });
    const again = await call('POST', `/partnerships/${id}/commitments`, commitment, { 'idempotency-key': 'replicas-1' });
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.json).toEqual(first.json);
    expect(await db.commitment.count({ where: { partnershipId: id } })).toBe(1);

    // Seven links asked for one address, in turn from each API: five are sent (the limit is counted in PostgreSQL).
    const signInForm = await openForm(`${base(0)}/sign-in`, '/sign-in');
    for (let i = 0; i < 7; i++) {
      const asked = await submitForm(`${base(i)}/sign-in`, signInForm, { _submission: crypto.randomUUID(), email: 'bo@agree.example' });
      expect(asked.status, `request ${i + 1}`).toBe(200);
    }
    const linksTo = async (address: string) =>
      (await hosted.mailbox.messages()).filter((m) => m.envelopeTo.includes(address) && /sign-in link/.test(m.subject)).length;
    await waitFor('five links', async () => (await linksTo('bo@agree.example')) >= 5);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await linksTo('bo@agree.example')).toBe(5);

    // Ana asks API 0 for a link, uses it on API 0, and someone replays it on API 1.
    const before = (await hosted.mailbox.messages()).length;
    const asked = await submitForm(`${base(0)}/sign-in`, await openForm(`${base(0)}/sign-in`, '/sign-in'), { email: 'ana@agree.example' });
    expect(asked.status).toBe(200);
    const mail = await waitFor('the sign-in link', async () =>
      (await hosted.mailbox.messages())
        .slice(before)
        .find((m) => m.envelopeTo.includes('ana@agree.example') && /sign-in link/.test(m.subject)),
    );
    const link = new URL(mail.text.match(/https?:\/\/\S+[?&]t=\S+/)?.[0] as string);
    const on = (i: number) => `${base(i)}${link.pathname}${link.search}`;
    const used = await submitForm(`${base(0)}/link`, await openForm(on(0), '/link'));
    expect(used.status).toBe(303);
    expect(used.headers.getSetCookie().some((c) => c.startsWith('tandem.session_token='))).toBe(true);
    const replayed = await submitForm(`${base(1)}/link`, await openForm(on(1), '/link'));
    expect(replayed.status).toBe(410);
    expect(replayed.headers.getSetCookie().some((c) => c.startsWith('tandem.session_token='))).toBe(false);
    expect(await replayed.text()).toContain('This link has expired or was used already');

    // A key revoked on API 0 stops at once there and, once the other has forgotten it, on API 1.
    const made = await call('POST', '/api-keys', { name: 'short-lived', role: 'admin' });
    const secret = made.json.secret as string;
    const asKey = (i: number) => fetch(`${base(i)}/partnerships`, { headers: { authorization: `Bearer ${secret}` } });
    expect([(await asKey(0)).status, (await asKey(1)).status]).toEqual([200, 200]);
    const revoked = await fetch(`${base(0)}/api-keys/${made.json.id}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
    });
    expect(revoked.status).toBe(200);
    expect((await asKey(0)).status).toBe(401);
    await waitFor('API 1 to refuse the revoked key', async () => (await asKey(1)).status === 401, API_KEY_CACHE_MS + 30_000);

    // Better Auth's own limit, on the identity provider's callback (30 a minute from one address), counts both APIs' requests.
    const callbacks: number[] = [];
    for (let i = 0; i < 31; i++) {
      callbacks.push((await fetch(`${base(i)}/auth/callback/nobody?code=c&state=s`, { redirect: 'manual' })).status);
    }
    expect(callbacks.slice(0, 30).filter((status) => status === 429)).toEqual([]);
    expect(callbacks[30]).toBe(429);
  });

  it('finish a burst of reminders when one worker is killed in the middle of it: nothing twice, every copy accounted for', async () => {
    const PARTNERSHIPS = 20;
    const MEMBERS = 3;
    // Every partnership's reminder falls due at the same instant, far enough ahead for all to be created.
    const instant = Date.now() + 45_000;
    const ids: string[] = [];
    for (let i = 0; i < PARTNERSHIPS; i++) {
      const members = Array.from({ length: MEMBERS }, (_, m) => `m${m}.p${i}@burst.example`);
      const res = await call('POST', '/partnerships', partnership(`Burst ${i}`, new Date(instant + 3_600_000), members, ['PT1H']));
      expect(res.status, JSON.stringify(res.json)).toBe(201);
      ids.push(res.json.id as string);
    }
    expect(Date.now()).toBeLessThan(instant);
    const reminders = async () => (await hosted.mailbox.messages()).filter((m) => m.subject.startsWith('Reminder:'));

    // The burst has begun: one worker dies outright, whatever it was sending.
    await waitFor('the burst to begin', async () => (await reminders()).length >= 1, 300_000);
    const killed = workers[0] as RoleProcess;
    await killed.stop('SIGKILL');

    const copies = () =>
      db.emailOutbox.findMany({ where: { template: 'review-reminder' }, select: { idempotencyKey: true, status: true } });
    const settled = await waitFor(
      'every reminder copy settled by the surviving worker',
      async () => {
        const all = await copies();
        return all.length === PARTNERSHIPS * MEMBERS && all.every((c) => c.status === 'sent' || c.status === 'unconfirmed') && all;
      },
      600_000,
    );
    const received = (await reminders()).map((m) => m.messageId);
    const idOf = (c: { idempotencyKey: string }) => `<${c.idempotencyKey.replaceAll(':', '.')}@tandem>`;
    // Nothing twice.
    expect(new Set(received).size).toBe(received.length);
    // Every copy recorded as sent arrived. The copies the dead worker was handing to the SMTP server
    // when it died are marked unconfirmed (each may or may not have arrived) and not sent again: they
    // are the only ones that may be missing, and there are at most a pool's worth of them for each
    // send in flight. Copies it had recorded but not yet begun went out from the survivor.
    const sent = settled.filter((c) => c.status === 'sent').map(idOf);
    const unconfirmed = settled.filter((c) => c.status === 'unconfirmed').map(idOf);
    expect(received).toEqual(expect.arrayContaining(sent));
    const missing = settled.map(idOf).filter((id) => !received.includes(id));
    expect(unconfirmed).toEqual(expect.arrayContaining(missing));
    // A worker hands at most a pool's worth of copies to the SMTP server at once (lib/mail/mailer.ts).
    expect(missing.length).toBeLessThanOrEqual(MAILER_CONNECTIONS);
    console.log(
      `[replicas test] ${PARTNERSHIPS * MEMBERS} copies: ${sent.length} sent, ${unconfirmed.length} unconfirmed (in flight on the killed worker), ${missing.length} of them missing`,
    );
    // Every partnership's workflow recorded its reminder, whichever worker ran it.
    for (const id of ids) {
      const live = await call('GET', `/partnerships/${id}/live`);
      expect((live.json.sentReminders as unknown[]).length, id).toBe(1);
    }
  });
});

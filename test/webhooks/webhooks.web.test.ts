import pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNING_SECRET } from '../../core/webhooks/subscriptions.js';
import { threeMembers, useApiStack } from '../support/api-stack.js';
import { testSealer } from '../support/auth.js';
import { useBrowser } from '../support/browser.js';
import { waitFor } from '../support/mailbox.js';
import { scrapeValue } from '../support/metrics.js';
import { expectAccessible, signIn } from '../support/web.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const QUEUE = 'tandem-webhooks-api';

interface Hook {
  id: string;
  secret: string | null;
  status: string;
  previousSecretUntil: string | null;
}
interface Delivery {
  id: string;
  messageId: string;
  type: string;
  status: string;
  attemptCount: number;
  attempts: { statusCode: number | null; response: string }[];
}

/**
 * Webhooks end to end on the real stack: the API subscribes, an API call records an event, the
 * worker's relay hears PostgreSQL's notification and the subscription's workflow sends it to an
 * in-process HTTPS receiver that verifies it with the `standardwebhooks` library. And the attacker's
 * side: another tenant's key, hostile input, two rotations at once.
 */
describe('webhooks through the API (real stack, HTTPS receiver)', () => {
  let receiver: WebhookReceiver;
  // Before the stack's own set-up, which gives its worker the receiver's poster.
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => receiver?.stop());
  const stack = useApiStack(QUEUE, { webhooks: { post: () => receiver.poster(5000) } });
  const browser = useBrowser();

  const deliveries = async (key: string, id: string) =>
    (await stack.call<{ items: Delivery[] }>(key, 'GET', `/webhooks/${id}/deliveries`)).json.items;

  it("tells a district's endpoint of its partnerships' events, signed, and lists, redelivers and rotates without a gap", async () => {
    const lakeside = await stack.districtWithKey('Lakeside USD');
    const other = await stack.districtWithKey('Hillcrest USD');
    const ours = await stack.createPartnership('Lakeside literacy', threeMembers('lakeside.example'), { district: { id: lakeside.id } });
    const theirs = await stack.createPartnership('Hillcrest math', threeMembers('hillcrest.example'), { district: { id: other.id } });

    const created = await stack.call<Hook>(lakeside.key, 'POST', '/webhooks', {
      url: receiver.url,
      events: ['partnership.paused', 'partnership.resumed'],
      organizationId: lakeside.id,
      description: 'Data warehouse',
    });
    expect(created.status, created.text).toBe(201);
    const hook = created.json;
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    receiver.secrets = [hook.secret as string];
    // The secret is shown once.
    expect((await stack.call(lakeside.key, 'GET', `/webhooks/${hook.id}`)).text).not.toContain(hook.secret);

    for (const p of [ours, theirs]) {
      expect((await stack.call(stack.adminKey, 'POST', `/partnerships/${p.id}/pause`, { reason: 'Strike' })).status).toBe(200);
    }
    const first = await waitFor('the pause delivered', async () => receiver.accepted()[0]);
    expect(first.verified).toBe(true);
    expect(JSON.parse(first.body)).toMatchObject({
      type: 'partnership.paused',
      data: { partnership: { id: ours.id, name: 'Lakeside literacy' }, by: expect.any(String), link: `${stack.publicUrl}/p/${ours.id}` },
    });
    // Hillcrest's pause is not Lakeside's business.
    expect(receiver.received.map((r) => r.body).join('')).not.toContain(theirs.id);
    const [delivered] = await waitFor('the delivery listed as delivered', async () => {
      const items = await deliveries(lakeside.key, hook.id);
      return items[0]?.status === 'delivered' && items;
    });
    expect(delivered).toMatchObject({
      type: 'partnership.paused',
      messageId: first.id,
      attemptCount: 1,
      attempts: [{ statusCode: 200, response: 'ok' }],
    });

    // Sent again on request, with the same webhook-id.
    expect((await stack.call(lakeside.key, 'POST', `/webhooks/${hook.id}/deliveries/${delivered?.id}/redeliver`)).status).toBe(202);
    await waitFor('the redelivery', async () => receiver.accepted().length === 2);
    expect(receiver.accepted()[1]?.id).toBe(first.id);

    // Rotation: the next delivery verifies with the old secret and with the new one.
    const rotated = await stack.call<Hook>(lakeside.key, 'POST', `/webhooks/${hook.id}/rotate-secret`);
    expect(rotated.status, rotated.text).toBe(200);
    expect(rotated.json.secret).not.toBe(hook.secret);
    expect(Date.parse(rotated.json.previousSecretUntil ?? '') - Date.now()).toBeGreaterThan(23 * 3600_000);
    expect((await stack.call(stack.adminKey, 'POST', `/partnerships/${ours.id}/resume`)).status).toBe(200);
    const resumed = await waitFor('the resumption delivered', async () => receiver.accepted()[2]);
    for (const secret of [hook.secret, rotated.json.secret] as string[]) {
      expect(new Webhook(secret).verify(resumed.body, resumed.headers)).toMatchObject({ type: 'partnership.resumed' });
    }
    expect(JSON.parse(resumed.body).type).toBe('partnership.resumed');
    // The operator's count: three attempts, each delivered.
    await waitFor(
      'the attempts counted',
      async () => (await scrapeValue(stack.baseUrl, 'tandem_webhook_attempts_total', { outcome: 'delivered' })) === 3,
    );
    expect(await scrapeValue(stack.baseUrl, 'tandem_webhook_attempts_total', { outcome: 'failed' })).toBe(0);
  });

  it('keeps another tenant out, refuses hostile input, and rotates once when asked twice at once', async () => {
    const lakeside = await stack.districtWithKey('Lakeside Two USD');
    const other = await stack.districtWithKey('Hillcrest Two USD');
    const body = { url: 'https://hooks.lakeside.example/tandem', events: ['review.held'], organizationId: lakeside.id };
    const hook = (await stack.call<Hook>(lakeside.key, 'POST', '/webhooks', body)).json;
    // Another district neither sees it nor subscribes in Lakeside's name nor for every partnership.
    for (const [method, path, b] of [
      ['GET', `/webhooks/${hook.id}`, undefined],
      ['PATCH', `/webhooks/${hook.id}`, { url: 'https://evil.example/steal' }],
      ['POST', `/webhooks/${hook.id}/rotate-secret`, undefined],
      ['GET', `/webhooks/${hook.id}/deliveries`, undefined],
      ['POST', `/webhooks/${hook.id}/remove`, undefined],
      ['POST', '/webhooks', body],
    ] as const) {
      const res = await stack.call(other.key, method, path, b);
      expect(res.status, `${method} ${path}: ${res.text}`).toBe(404);
    }
    expect((await stack.call<{ items: Hook[] }>(other.key, 'GET', '/webhooks')).json.items).toEqual([]);
    const everything = await stack.call(lakeside.key, 'POST', '/webhooks', { ...body, organizationId: undefined });
    expect([everything.status, everything.text]).toEqual([403, expect.stringMatching(/Only an admin may subscribe to every partnership/)]);

    // A NUL or a CR/LF anywhere, plain http, an unknown event, two owners: a 400 naming the field.
    for (const [bad, field] of [
      [{ ...body, url: 'https://hooks.lakeside.example/\u0000' }, 'url'],
      [{ ...body, url: 'https://hooks.lakeside.example/a\r\nX-Injected: 1' }, 'url'],
      [{ ...body, description: 'Warehouse\r\nBcc: x@evil.example' }, 'description'],
      [{ ...body, url: 'http://hooks.lakeside.example/tandem' }, 'url'],
      [{ ...body, events: ['review.held', 'everything'] }, 'events.1'],
      [{ ...body, cohortId: hook.id }, 'cohortId'],
    ] as const) {
      const res = await stack.call<{ errors: { path: string }[] }>(lakeside.key, 'POST', '/webhooks', bad);
      expect(res.status, res.text).toBe(400);
      expect(res.json.errors.map((e) => e.path).join(' '), res.text).toContain(field);
    }
    const rejected = await stack.call(lakeside.key, 'PATCH', `/webhooks/${hook.id}`, { description: 'a\u0000b' });
    expect(rejected.status).toBe(400);
    expect((await stack.call<Hook & { description: string }>(lakeside.key, 'GET', `/webhooks/${hook.id}`)).json.description).toBe('');

    // Two rotations at once: each answer's secret was really the secret at some point, and the last one holds.
    const both = await Promise.all([1, 2].map(() => stack.call<Hook>(lakeside.key, 'POST', `/webhooks/${hook.id}/rotate-secret`)));
    expect(both.map((r) => r.status).sort()).toEqual(expect.arrayContaining([200]));
    for (const r of both) expect([200, 409], r.text).toContain(r.status);
    const row = await stack.database.db.webhookSubscription.findUniqueOrThrow({ where: { id: hook.id } });
    const issued = both.filter((r) => r.status === 200).map((r) => r.json.secret);
    // Stored sealed (lib/auth/sealed.ts): the row holds neither secret as it was shown.
    for (const shown of [hook.secret, ...issued]) expect(JSON.stringify(row)).not.toContain(shown);
    const open = (stored: string | null) => stored && testSealer.open(stored, SIGNING_SECRET);
    expect(issued).toContain(open(row.secret));
    expect([hook.secret, ...issued]).toContain(open(row.previousSecret));

    // A resume and a pause sent at once, several times: each is carried out on the status it was judged
    // by or refused (409); an answer of 200 never shows a status other than the one asked for.
    for (let round = 0; round < 5; round++) {
      await stack.call(lakeside.key, 'PATCH', `/webhooks/${hook.id}`, { status: 'paused' });
      const asked = ['active', 'paused'] as const;
      const answers = await Promise.all(
        asked.map((status) => stack.call<Hook & { status: string }>(lakeside.key, 'PATCH', `/webhooks/${hook.id}`, { status })),
      );
      for (const [i, r] of answers.entries()) {
        expect([200, 409], r.text).toContain(r.status);
        if (r.status === 200) expect(r.json.status, `round ${round}: asked ${asked[i]}`).toBe(asked[i]);
      }
      const now = await stack.database.db.webhookSubscription.findUniqueOrThrow({ where: { id: hook.id } });
      expect(answers.filter((r) => r.status === 200).map((r) => r.json.status)).toContain(now.status);
    }
  });

  it('holds a pause that meets a resume in progress until the resume is over, then refuses it: no 200 on a status that no longer holds', async () => {
    const lakeside = await stack.districtWithKey('Lakeside Three USD');
    const body = { url: 'https://hooks.lakeside.example/three', events: ['review.held'], organizationId: lakeside.id };
    const hook = (await stack.call<Hook>(lakeside.key, 'POST', '/webhooks', body)).json;
    expect((await stack.call<Hook>(lakeside.key, 'PATCH', `/webhooks/${hook.id}`, { status: 'paused' })).json.status).toBe('paused');
    // Another change of the subscription holds its row, not yet committed: the pause reads "paused".
    const other = new pg.Client({ connectionString: stack.database.url });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(`UPDATE webhook_subscription SET status = 'active', paused_at = NULL WHERE id = $1`, [hook.id]);
      let settled = false;
      const pause = stack.call(lakeside.key, 'PATCH', `/webhooks/${hook.id}`, { status: 'paused' }).finally(() => {
        settled = true;
      });
      // It waits for the other change's lock (before, it answered 200 "paused" at once, and the resume then won).
      await waitFor('the pause to answer or to wait for the lock', async () => {
        if (settled) return true;
        const { rows } = await other.query(
          `SELECT query FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        return rows.length > 0;
      });
      expect(settled, 'the pause answered without waiting for the change in progress').toBe(false);
      await other.query('COMMIT');
      const answer = await pause;
      expect([answer.status, answer.text]).toEqual([409, expect.stringMatching(/changed at the same moment/)]);
    } finally {
      await other.end();
    }
    expect((await stack.call<Hook>(lakeside.key, 'GET', `/webhooks/${hook.id}`)).json.status).toBe('active');
  });

  it("lets a district's admin subscribe from the page (the secret shown once), and keeps another district's admin out of it", async () => {
    const lakeside = await stack.districtWithKey('Page USD');
    const other = await stack.districtWithKey('Other Page USD');
    for (const [org, email] of [
      [lakeside.id, 'ida@page.example'],
      [other.id, 'oz@other.example'],
    ] as const) {
      const granted = await stack.call(stack.adminKey, 'POST', `/organizations/${org}/staff`, { email, name: 'Admin', isAdmin: true });
      expect(granted.status, granted.text).toBe(201);
    }
    const ours = await stack.createPartnership('Page literacy', threeMembers('page.example'), { district: { id: lakeside.id } });
    const { page } = await signIn(stack, browser, 'ida@page.example');
    await page.goto(`${stack.publicUrl}/dashboard/webhooks`);
    await expectAccessible(page);
    await page.selectOption('#f-owner', `organization:${lakeside.id}`);
    await page.fill('#f-url', receiver.url);
    await page.check('#f-event-partnership-paused');
    await page.click('button:has-text("Subscribe")');
    const flash = (await page.locator('.flash').textContent()) ?? '';
    const secret = flash.match(/whsec_[A-Za-z0-9+/=]+/)?.[0] as string;
    expect(secret, flash).toBeTruthy();
    await page.reload();
    expect(await page.content()).not.toContain(secret);
    expect(await page.locator('main').textContent()).toContain(receiver.url);

    expect((await stack.call(stack.adminKey, 'POST', `/partnerships/${ours.id}/pause`, { reason: 'Snow' })).status).toBe(200);
    const delivered = await waitFor('the pause delivered', async () => receiver.accepted().find((r) => r.body.includes(ours.id)));
    expect(new Webhook(secret).verify(delivered.body, delivered.headers)).toMatchObject({ type: 'partnership.paused' });

    // Another district's admin sees none of it, and a removal forged with their own session and token is a 404.
    const hook = await stack.database.db.webhookSubscription.findFirstOrThrow({ where: { organizationId: lakeside.id } });
    const intruder = await signIn(stack, browser, 'oz@other.example');
    await intruder.page.goto(`${stack.publicUrl}/dashboard/webhooks`);
    expect(await intruder.page.content()).not.toContain(receiver.url);
    const csrf = await intruder.page.locator('input[name="_csrf"]').first().inputValue();
    const cookie = (await intruder.context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    for (const action of ['remove', 'secret', 'status']) {
      const res = await fetch(`${stack.baseUrl}/dashboard/webhooks/${hook.id}/${action}`, {
        method: 'POST',
        body: new URLSearchParams({ _csrf: csrf, _submission: crypto.randomUUID(), status: 'paused' }),
        headers: { cookie, accept: 'text/html' },
        redirect: 'manual',
      });
      expect(res.status, action).toBe(404);
    }
    expect(await stack.database.db.webhookSubscription.findUniqueOrThrow({ where: { id: hook.id } })).toMatchObject({
      status: 'active',
      secret: hook.secret,
    });
  });
});

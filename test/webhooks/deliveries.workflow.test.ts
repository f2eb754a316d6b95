import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEvent } from '../../core/events.js';
import { keyPrincipal } from '../../core/people/principal.js';
import { changeWebhook, createWebhook, listWebhooks, WEBHOOK_ADDRESS } from '../../core/webhooks/subscriptions.js';
import { createApiKey } from '../../lib/auth/api-keys.js';
import { createPoster } from '../../lib/webhooks/post.js';
import { webhookWorkflowId } from '../../workflows/ids.js';
import { webhookWorkflow } from '../../workflows/webhooks/webhook.js';
import { testSealer } from '../support/auth.js';
import { createPartnershipRecord, DAY, MINUTE, recordHistory, useTimeSkippingStack } from '../support/kit.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const QUEUE = 'tandem-webhooks';

/**
 * Deliveries as the subscription's workflow sends them, on the time-skipping server with the real
 * activities, the real database and an in-process HTTPS receiver that verifies every signature
 * with the `standardwebhooks` library.
 */
describe('webhook deliveries (time-skipping, HTTPS receiver)', () => {
  const stack = useTimeSkippingStack(QUEUE);
  const db = () => stack.database.db;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => receiver?.stop());

  const twoPartnerships = async () => {
    const t0 = await stack.env.currentTimeMs();
    const opts = { firstReviewAt: new Date(t0 + 30 * DAY), reminderOffsets: [], plannedAt: t0 };
    return [await createPartnershipRecord(db(), opts), await createPartnershipRecord(db(), opts)] as const;
  };
  const subscribe = (over: { organizationId?: string; createdByPersonId?: string; events?: string[] } = {}) =>
    db().webhookSubscription.create({
      data: {
        url: receiver.url,
        format: 'standard',
        events: over.events ?? ['partnership.paused', 'partnership.resumed', 'review.scheduled'],
        secret: `whsec_${Buffer.from(`secret-${Math.random()}`).toString('base64')}`,
        organizationId: over.organizationId ?? null,
        createdByPersonId: over.createdByPersonId ?? null,
        createdByName: 'test',
      },
    });
  const run = (subscriptionId: string) =>
    stack.env.client.workflow.start(webhookWorkflow, {
      workflowId: webhookWorkflowId(subscriptionId),
      taskQueue: QUEUE,
      args: [{ subscriptionId }],
    });

  it('sends every event once, in order per partnership, to a receiver that fails and then recovers; each signature verifies', async () => {
    const [a, b] = await twoPartnerships();
    const everything = await subscribe();
    const districtOnly = await subscribe({ organizationId: a.districtId });
    receiver.secrets = [everything.secret as string];
    receiver.received.length = 0;
    let requests = 0;
    receiver.answer = () => (++requests <= 3 ? 503 : 200);

    // Events as the activities record them: paused and resumed, a review planned, one that is not public.
    await recordEvent(db(), a.id, `t1:${a.id}:paused`, 'partnership.paused', { reason: 'strike' });
    await recordEvent(db(), b.id, `t1:${b.id}:paused`, 'partnership.paused', {});
    await recordEvent(db(), a.id, `t1:${a.id}:resumed`, 'partnership.active', {});
    await recordEvent(db(), a.id, `t1:${a.id}:reminder`, 'review.reminder_sent', { recipients: ['x@y.example'] });
    await recordEvent(db(), b.id, `t1:${b.id}:resumed`, 'partnership.active', {});
    await recordEvent(db(), a.id, `t1:${a.id}:planned`, 'review.planned', { reviewId: a.review.id, sequence: 1 });
    // Written twice (a retried activity): one event, one delivery.
    await recordEvent(db(), a.id, `t1:${a.id}:planned`, 'review.planned', { reviewId: a.review.id, sequence: 1 });

    // The district's subscription hears of its own partnership only.
    expect(await db().webhookDelivery.count({ where: { subscriptionId: districtOnly.id } })).toBe(3);
    expect(await db().webhookDelivery.count({ where: { subscriptionId: everything.id } })).toBe(5);

    await (await stack.newWorker({ postWebhook: receiver.poster() })).runUntil(async () => {
      const handle = await run(everything.id);
      await handle.result();
      await recordHistory(handle, 'fails-then-recovers');
    });

    // Three failures of the first delivery (503), then all five: 8 requests, the first four with one id.
    expect(receiver.received).toHaveLength(8);
    expect(new Set(receiver.received.slice(0, 4).map((r) => r.id)).size).toBe(1);
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    const accepted = receiver
      .accepted()
      .map((r) => JSON.parse(r.body) as { type: string; data: { partnership: { id: string }; eventId: string } });
    expect(new Set(receiver.accepted().map((r) => r.id)).size).toBe(5);
    const order = (pid: string) => accepted.filter((e) => e.data.partnership.id === pid).map((e) => e.type);
    expect(order(a.id)).toEqual(['partnership.paused', 'partnership.resumed', 'review.scheduled']);
    expect(order(b.id)).toEqual(['partnership.paused', 'partnership.resumed']);
    const ids = accepted.map((e) => Number(e.data.eventId));
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    // No address and no words written by people leave: the pause's reason stays in Tandem.
    expect(receiver.received.map((r) => r.body).join('')).not.toMatch(/strike|@y\.example/);

    const deliveries = await db().webhookDelivery.findMany({ where: { subscriptionId: everything.id }, include: { attempts: true } });
    expect(deliveries.every((d) => d.status === 'delivered')).toBe(true);
    expect(deliveries.map((d) => d.attempts.length).sort()).toEqual([1, 1, 1, 1, 4]);
    const sub = await db().webhookSubscription.findUniqueOrThrow({ where: { id: everything.id } });
    expect(sub).toMatchObject({ status: 'active', failingSince: null });
  });

  it("keeps a Slack subscription's address, its channel's credential, sealed: deliveries reach it, answers and the audit log show its hint", async () => {
    const [a] = await twoPartnerships();
    const admin = keyPrincipal((await createApiKey(db(), { name: 'slack admin', role: 'admin' })).key);
    const deps = { db: db(), temporal: stack.env.client, taskQueue: QUEUE, sealer: testSealer };
    const address = `${receiver.url}/services/T000/B000/XXXXsecretXXXX`;
    const created = await createWebhook(deps, admin, { url: address, format: 'slack', events: ['partnership.paused'] });
    const hint = `${new URL(receiver.url).origin}/…XXXX`;
    expect(created).toMatchObject({ url: hint, secret: null });
    expect((await listWebhooks(db(), admin)).find((w) => w.id === created.id)?.url).toBe(hint);
    const row = await db().webhookSubscription.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.url).not.toContain('secret');
    expect(row).toMatchObject({ urlHint: hint });
    expect(testSealer.open(row.url, WEBHOOK_ADDRESS)).toBe(address);
    // A new address, sealed as well; the audit log has hints only.
    const moved = `${address}2`;
    expect(await changeWebhook(deps, admin, created.id, { url: moved })).toMatchObject({ url: `${new URL(receiver.url).origin}/…XXX2` });
    const audited = await db().auditEvent.findMany({ where: { data: { path: ['webhookId'], equals: created.id } } });
    expect(audited.map((e) => e.action).sort()).toEqual(['webhook.changed', 'webhook.created']);
    expect(JSON.stringify(audited)).not.toContain('secretXXXX');

    receiver.received.length = 0;
    receiver.answer = () => 200;
    await recordEvent(db(), a.id, `t3:${a.id}:paused`, 'partnership.paused', {});
    await (await stack.newWorker({ postWebhook: receiver.poster() })).runUntil(async () => {
      await (await run(created.id)).result();
    });
    // Posted to the address itself, opened at the moment it leaves.
    expect(receiver.accepted().map((r) => r.path)).toEqual([new URL(moved).pathname]);
    expect(JSON.parse(receiver.accepted()[0]?.body ?? '{}')).toHaveProperty('text');
  });

  it('pauses a subscription whose endpoint never answers after a day, tells its keepers, and sends what waited once resumed', async () => {
    const [a] = await twoPartnerships();
    const admin = await db().person.create({ data: { name: 'Ida Admin', email: `ida.${a.id.slice(0, 6)}@lakeside.example` } });
    await db().staff.create({ data: { personId: admin.id, organizationId: a.districtId, isAdmin: true } });
    const sub = await subscribe({ organizationId: a.districtId, createdByPersonId: admin.id });
    receiver.secrets = [sub.secret as string];
    receiver.received.length = 0;
    receiver.answer = () => 'nothing';
    await recordEvent(db(), a.id, `t2:${a.id}:paused`, 'partnership.paused', {});
    const start = await stack.env.currentTimeMs();

    await (await stack.newWorker({ postWebhook: receiver.poster(1000) })).runUntil(async () => {
      const handle = await run(sub.id);
      await handle.result();
      await recordHistory(handle, 'paused-after-a-day');
    });

    const paused = await db().webhookSubscription.findUniqueOrThrow({ where: { id: sub.id } });
    expect(paused.status).toBe('paused');
    expect(paused.pausedReason).toMatch(/Failed for a day; last answer: no answer within 1000 ms/);
    const attempts = await db().webhookAttempt.findMany({ where: { delivery: { subscriptionId: sub.id } }, orderBy: { at: 'asc' } });
    // Tried at once, then after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, and a last time when the day was over.
    expect(attempts).toHaveLength(8);
    expect(attempts.every((t) => t.statusCode === null)).toBe(true);
    const first = attempts[0]?.at.getTime() ?? 0;
    const lastAfter = (attempts.at(-1)?.at.getTime() ?? 0) - first;
    expect(lastAfter).toBeGreaterThanOrEqual(DAY);
    expect(lastAfter).toBeLessThan(DAY + MINUTE);
    expect((paused.pausedAt?.getTime() ?? 0) - start).toBeGreaterThanOrEqual(DAY);
    const told = (await stack.mailbox.messages()).filter((m) => m.to.includes(admin.email));
    expect(told).toHaveLength(1);
    expect(told[0]?.subject).toMatch(/Tandem paused a webhook of Lakeside USD .*: its endpoint failed for a day/);
    expect(told[0]?.text).toContain(receiver.url);
    expect(told[0]?.text).toMatch(/1 event waits for it/);
    // Its link opens the page where the subscription is resumed.
    const links = await db().taskLink.findMany({ where: { personId: admin.id } });
    expect(links.map((l) => l.target)).toEqual(['/dashboard/webhooks']);

    // The endpoint works again; its admin (here through the district's key) resumes it.
    receiver.answer = () => 200;
    const key = await createApiKey(db(), { name: 'district', role: 'district', organizationId: a.districtId });
    await stack.newWorker({ postWebhook: receiver.poster() }).then((w) =>
      w.runUntil(async () => {
        await changeWebhook({ db: db(), temporal: stack.env.client, taskQueue: QUEUE, sealer: testSealer }, keyPrincipal(key.key), sub.id, {
          status: 'active',
        });
        await stack.env.client.workflow.getHandle(webhookWorkflowId(sub.id)).result();
      }),
    );
    expect(receiver.accepted()).toHaveLength(1);
    expect(receiver.accepted()[0]?.verified).toBe(true);
    const resumed = await db().webhookSubscription.findUniqueOrThrow({ where: { id: sub.id } });
    expect(resumed).toMatchObject({ status: 'active', failingSince: null, pausedAt: null });
  });

  it('refuses, by default, an endpoint inside the network (after DNS: a loopback or private address), and says so in the attempt', async () => {
    const before = receiver.received.length;
    const production = createPoster({ timeoutMs: 2000, allowPrivateAddresses: false, ca: receiver.ca });
    for (const url of [receiver.url, receiver.url.replace('127.0.0.1', 'localhost')]) {
      const answer = await production(url, '{}', {});
      expect(answer.status, url).toBeNull();
      expect(answer.body, url).toMatch(/is not allowed\. Because, It is private IP address/);
    }
    expect(receiver.received).toHaveLength(before);
  });
});

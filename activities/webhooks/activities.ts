import { Context } from '@temporalio/activity';
import { notify } from '../../core/mail/notify.js';
import { webhookPaused } from '../../core/mail/templates.js';
import { pages } from '../../core/pages.js';
import { deliveryFacts, deliveryRequest, signingSecrets, type WebhookFormat } from '../../core/webhooks/payloads.js';
import { SIGNING_SECRET, shownAddress, webhookAddress } from '../../core/webhooks/subscriptions.js';
import type { WebhookSubscription } from '../../generated/prisma/client.js';
import type { Db } from '../../lib/db/client.js';
import { observe } from '../../lib/metrics.js';
import { createPoster, type Post } from '../../lib/webhooks/post.js';
import type { WebhookSteps } from '../../workflows/webhooks/steps.js';
import type { ActivityDeps } from '../deps.js';
import { mailContext } from '../mail/activities.js';

/** A batch ends after this many deliveries or this long, so that the workflow's history records progress. */
const BATCH = 100;
const BATCH_MS = 60_000;

/** Without WEBHOOK_ settings (tests that do not send webhooks): the production defaults, made once. */
let defaultPoster: Post | undefined;
function defaultPost(): Post {
  if (!defaultPoster) defaultPoster = createPoster({ timeoutMs: 15_000, allowPrivateAddresses: false });
  return defaultPoster;
}

/**
 * The steps of a webhook subscription's workflow (workflows/webhooks/webhook.ts): its deliveries sent in
 * order, and its pause after too many failures. (Long as the sum of its two activities and the attempt
 * they share, each under 100 lines: the factory only hands them their clients.)
 */
export function createWebhookActivities(deps: ActivityDeps): WebhookSteps {
  const { db } = deps;
  const post = () => deps.postWebhook ?? defaultPost();
  const heartbeat = () => {
    if (!Context.current().info.isLocal) Context.current().heartbeat();
  };
  /** One POST of one delivery, recorded with its answer; whether it was delivered. */
  const attempt = async (delivery: { id: string }, sub: WebhookSubscription, when: Date): Promise<boolean> => {
    const facts = await deliveryFacts(db, delivery.id);
    if (!facts) return true;
    // Signed at the moment it leaves (the receiver checks webhook-timestamp against its clock to refuse
    // replays); the workflow's time (`when`) is what the run of failures is judged by.
    const sentAt = Date.now();
    const request = deliveryRequest(sub.format as WebhookFormat, facts, {
      publicUrl: deps.publicUrl,
      at: sentAt,
      secrets: signingSecrets(sub, sentAt, (stored) => deps.sealer.open(stored, SIGNING_SECRET)),
    });
    const answer = await post()(webhookAddress(deps.sealer, sub), request.body, request.headers);
    const ok = answer.status !== null && answer.status >= 200 && answer.status < 300;
    observe.webhookAttempt(ok ? 'delivered' : 'failed');
    await db.$transaction(async (tx) => {
      await tx.webhookAttempt.create({
        data: {
          deliveryId: delivery.id,
          at: when,
          statusCode: answer.status,
          response: answer.body.replace(/\0/g, ''),
          durationMs: answer.durationMs,
        },
      });
      if (ok) {
        await tx.webhookDelivery.updateMany({
          where: { id: delivery.id, status: 'pending' },
          data: { status: 'delivered', deliveredAt: when },
        });
        await tx.webhookSubscription.updateMany({ where: { id: sub.id, failingSince: { not: null } }, data: { failingSince: null } });
      } else {
        await tx.webhookSubscription.updateMany({ where: { id: sub.id, failingSince: null }, data: { failingSince: when } });
      }
    });
    return ok;
  };
  return {
    /**
     * POSTs the waiting deliveries in event order, each recorded as an attempt with its answer. A 2xx
     * delivers; anything else (another status, no answer in time, a refused address) fails it, starts
     * or continues the subscription's run of failures, and ends the batch. A paused or removed
     * subscription sends nothing.
     */
    async sendWebhookDeliveries({ subscriptionId, at }) {
      const started = Date.now();
      let sent = 0;
      for (;;) {
        const next = await db.webhookDelivery.findFirst({
          where: { subscriptionId, status: 'pending', subscription: { status: 'active' } },
          orderBy: { eventId: 'asc' },
          include: { subscription: true },
        });
        if (!next) return { sent, failingSince: null, more: false };
        if (sent >= BATCH || Date.now() - started > BATCH_MS) return { sent, failingSince: null, more: true };
        heartbeat();
        // The workflow's time, moved on by what this batch took: attempts keep their order.
        const when = new Date(at + (Date.now() - started));
        if (await attempt(next, next.subscription, when)) {
          sent++;
          continue;
        }
        const { failingSince } = await db.webhookSubscription.findUniqueOrThrow({
          where: { id: subscriptionId },
          select: { failingSince: true },
        });
        return { sent, failingSince: (failingSince ?? when).getTime(), more: true };
      }
    },

    async pauseFailingWebhook({ subscriptionId, at }) {
      const when = new Date(at);
      const sub = await db.webhookSubscription.findUnique({ where: { id: subscriptionId } });
      if (!sub) return;
      const last = await db.webhookAttempt.findFirst({
        where: { delivery: { subscriptionId } },
        orderBy: { at: 'desc' },
        select: { statusCode: true, response: true },
      });
      const lastAnswer = !last ? 'none' : last.statusCode === null ? last.response : `HTTP ${last.statusCode}`;
      const { count } = await db.webhookSubscription.updateMany({
        where: { id: subscriptionId, status: 'active' },
        data: { status: 'paused', pausedAt: when, pausedReason: `Failed for a day; last answer: ${lastAnswer}`.slice(0, 500) },
      });
      // A retry of this activity after the pause was written still tells the keepers (the copies are idempotent).
      if (count === 0 && sub.status !== 'paused') return;
      const pausedAt = (sub.pausedAt ?? when).getTime();
      const waiting = await db.webhookDelivery.count({ where: { subscriptionId, status: 'pending' } });
      const keepers = await keepersOf(db, sub);
      const owner = sub.organizationId
        ? (await db.organization.findUnique({ where: { id: sub.organizationId }, select: { name: true } }))?.name
        : sub.cohortId
          ? (await db.cohort.findUnique({ where: { id: sub.cohortId }, select: { name: true } }))?.name
          : 'the installation';
      await notify(mailContext(deps), {
        messageKey: `webhook:${sub.id}:paused:${pausedAt}`,
        template: 'webhook-paused',
        about: { id: null, timeZone: 'UTC' },
        dueAt: at,
        recipients: keepers.map((person) => ({ person })),
        target: pages.webhooks(),
        urgent: true,
        render: (timeZone, link) =>
          webhookPaused({
            ownerName: owner ?? 'an organization',
            url: shownAddress(sub),
            failingSince: (sub.failingSince ?? when).getTime(),
            lastAnswer,
            waiting,
            timeZone,
            link,
          }),
      });
    },
  };
}

/** Who is told of a paused subscription: whoever made it, and those who keep it (its organization's admins, its cohort's coordinators, or the installation's admins when nobody else). */
async function keepersOf(db: Db, sub: { organizationId: string | null; cohortId: string | null; createdByPersonId: string | null }) {
  const owners = sub.organizationId
    ? { staff: { some: { organizationId: sub.organizationId, isAdmin: true } } }
    : sub.cohortId
      ? { coordinates: { some: { cohortId: sub.cohortId } } }
      : { isAdmin: true };
  const people = await db.person.findMany({
    where: { OR: [owners, ...(sub.createdByPersonId ? [{ id: sub.createdByPersonId }] : [])] },
    orderBy: { email: 'asc' },
  });
  return people.length ? people : db.person.findMany({ where: { isAdmin: true }, orderBy: { email: 'asc' } });
}

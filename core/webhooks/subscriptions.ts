import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { Prisma, WebhookSubscription } from '../../generated/prisma/client.js';
import type { Sealer } from '../../lib/auth/sealed.js';
import type { Db } from '../../lib/db/client.js';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { wakeWorkflow } from '../../lib/temporal/wake.js';
import { parseOrThrow } from '../../lib/validation.js';
import { webhookWorkflowId } from '../../workflows/ids.js';
import { deliveriesWaitingSignal, type WebhookInput } from '../../workflows/webhooks/messages.js';
import { line } from '../fields.js';
import { recordAudit } from '../people/audit.js';
import type { Principal } from '../people/principal.js';
import { assertKeepsWebhooksOf, type WebhookOwner, webhookScope } from '../people/rights.js';
import { WEBHOOK_EVENT_TYPES } from './events.js';

/**
 * Webhook subscriptions: an organization's, a cohort's or the installation's HTTPS endpoint, told of
 * the events it asks for in the partnerships its owner sees. Deliveries are written with the event
 * (core/events.ts) and sent in order by the subscription's workflow (workflows/webhooks/).
 */

interface Deps {
  db: Db;
  temporal: Client;
  taskQueue: string;
}

/** What a command that stores a signing secret needs besides: the sealer (lib/auth/sealed.ts). */
type SealingDeps = Deps & { sealer: Sealer };

/** What a signing secret is sealed for (the current and the previous one alike: rotating moves it). */
export const SIGNING_SECRET = 'webhook.secret';

/**
 * What a Slack or Teams webhook's address is sealed for: the platform's address is its only
 * credential (whoever has it posts into the channel), so it is stored sealed and shown as a hint.
 */
export const WEBHOOK_ADDRESS = 'webhook.address';

/** How long a rotated-out secret still signs, so a receiver can switch without a gap. */
export const PREVIOUS_SECRET_SIGNS_MS = 24 * 3600_000;

const webhookUrl = z
  .url({ protocol: /^https$/, error: 'must be an https:// address' })
  .max(2000, 'must be at most 2000 characters')
  .refine((u) => !/[\s\0]/.test(u), 'must not contain spaces or control characters');

const events = z.array(z.enum(WEBHOOK_EVENT_TYPES)).min(1, 'must name at least one event').max(WEBHOOK_EVENT_TYPES.length);

export const newWebhookBody = z
  .object({
    url: webhookUrl.meta({ description: 'The HTTPS endpoint; for slack and teams, the webhook address the platform gave.' }),
    format: z.enum(['standard', 'slack', 'teams']).default('standard').meta({
      description: 'standard: signed JSON (Standard Webhooks); slack: a Slack incoming webhook; teams: a Teams workflow webhook.',
    }),
    events: events.meta({ description: 'The events it is told of.' }),
    description: line(200).optional(),
    organizationId: z.uuid().optional().meta({ description: "Whose: an organization's (its partnerships as district or partner)…" }),
    cohortId: z.uuid().optional().meta({ description: "…or a cohort's; with neither, the installation's (every partnership)." }),
  })
  .strict()
  .refine((b) => !(b.organizationId && b.cohortId), { message: 'give organizationId or cohortId, not both', path: ['cohortId'] });

export const webhookChanges = z
  .object({
    url: webhookUrl.optional(),
    events: events.optional(),
    description: line(200).optional(),
    status: z
      .enum(['active', 'paused'])
      .optional()
      .meta({ description: 'active resumes a paused subscription: what waits goes, in order; paused stops sending (events are kept).' }),
  })
  .strict();

const ownerOf = (b: { organizationId?: string | null | undefined; cohortId?: string | null | undefined }): WebhookOwner =>
  b.organizationId ? { organizationId: b.organizationId } : b.cohortId ? { cohortId: b.cohortId } : { installation: true };

const newSigningSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

/** A secret address as it is shown: its origin and its last four characters (`https://hooks.slack.com/…AbCd`). */
export function addressHint(url: string): string {
  const origin = URL.canParse(url) ? new URL(url).origin : '';
  return `${origin}/…${url.slice(-4)}`;
}

/** How a subscription's address is stored: in clear for a standard one, sealed with a hint for slack and teams. */
function storedAddress(sealer: Sealer, format: string, url: string): { url: string; urlHint: string | null } {
  return format === 'standard' ? { url, urlHint: null } : { url: sealer.seal(url, WEBHOOK_ADDRESS), urlHint: addressHint(url) };
}

/** Where deliveries go: the address, opened when it is sealed. */
export const webhookAddress = (sealer: Sealer, s: Pick<WebhookSubscription, 'url' | 'format'>) =>
  s.format === 'standard' ? s.url : sealer.open(s.url, WEBHOOK_ADDRESS);

/** The address as API answers, pages, the audit log and mail show it: a slack or teams one only as its hint. */
export const shownAddress = (s: Pick<WebhookSubscription, 'url' | 'urlHint' | 'format'>) =>
  s.format === 'standard' ? s.url : (s.urlHint ?? addressHint(s.url));

export function webhookJson(s: WebhookSubscription) {
  return {
    id: s.id,
    organizationId: s.organizationId,
    cohortId: s.cohortId,
    url: shownAddress(s),
    format: s.format,
    events: s.events,
    description: s.description,
    status: s.status,
    pausedAt: s.pausedAt?.toISOString() ?? null,
    pausedReason: s.pausedReason,
    failingSince: s.failingSince?.toISOString() ?? null,
    previousSecretUntil: s.previousSecretUntil?.toISOString() ?? null,
    createdBy: s.createdByName,
    createdAt: s.createdAt.toISOString(),
  };
}

/** Starts or signals the subscription's workflow: deliveries wait for it. */
export const wakeWebhook = (deps: Pick<Deps, 'temporal' | 'taskQueue'>, subscriptionId: string) =>
  wakeWorkflow<WebhookInput>(deps.temporal, {
    workflowType: 'webhookWorkflow',
    workflowId: webhookWorkflowId(subscriptionId),
    taskQueue: deps.taskQueue,
    input: { subscriptionId },
    signal: deliveriesWaitingSignal,
  });

/**
 * A new subscription, and its signing secret (shown this once; none for slack and teams, whose address
 * is the secret: sealed, and shown from then on as its hint).
 */
export async function createWebhook(deps: SealingDeps, p: Principal, input: unknown) {
  const body = parseOrThrow(newWebhookBody, input, 'request');
  const owner = ownerOf(body);
  await assertKeepsWebhooksOf(deps.db, p, owner);
  const secret = body.format === 'standard' ? newSigningSecret() : null;
  const row = await deps.db.$transaction(async (tx) => {
    const created = await tx.webhookSubscription.create({
      data: {
        organizationId: body.organizationId ?? null,
        cohortId: body.cohortId ?? null,
        ...storedAddress(deps.sealer, body.format, body.url),
        format: body.format,
        events: [...new Set(body.events)],
        description: body.description ?? '',
        secret: secret && deps.sealer.seal(secret, SIGNING_SECRET),
        createdByPersonId: p.kind === 'person' ? p.id : null,
        createdByName: p.name,
      },
    });
    await audit(tx, p, 'webhook.created', created, { url: shownAddress(created), events: created.events });
    return created;
  });
  return { ...webhookJson(row), secret };
}

/** The subscriptions the principal keeps. */
export async function listWebhooks(db: Db, p: Principal) {
  const rows = await db.webhookSubscription.findMany({ where: webhookScope(p), orderBy: { createdAt: 'asc' } });
  return rows.map(webhookJson);
}

/** One subscription the principal keeps; a 404 for any other. */
export async function visibleWebhook(db: Db, p: Principal, id: string) {
  if (!z.uuid().safeParse(id).success) throw new NotFoundError(`Webhook ${id} does not exist`);
  const row = await db.webhookSubscription.findFirst({ where: { AND: [{ id }, webhookScope(p)] } });
  if (!row) throw new NotFoundError(`Webhook ${id} does not exist`);
  // Rights may have narrowed since it was made (a coordinator no more): decided again, like every change.
  await assertKeepsWebhooksOf(db, p, ownerOf(row));
  return row;
}

/** Changes a subscription; resuming one sends what waits for it, in order. */
export async function changeWebhook(deps: SealingDeps, p: Principal, id: string, input: unknown) {
  const body = parseOrThrow(webhookChanges, input, 'request');
  if (Object.keys(body).length === 0) throw new ValidationError('Give at least one of url, events, description, status');
  const before = await visibleWebhook(deps.db, p, id);
  const resumes = body.status === 'active' && before.status !== 'active';
  const row = await deps.db.$transaction(async (tx) => {
    // Guarded by the status read: a change judged against a status that another changed meanwhile
    // (a resume and a pause at once, or the endpoint's own pause) is refused, not carried out on stale state.
    // The status is written even when it stays (a pause of a paused subscription): an UPDATE with nothing
    // to write is not sent, and without it nothing waits for the other change's row lock.
    const { count } = await tx.webhookSubscription.updateMany({
      where: { id: before.id, status: before.status },
      data: {
        status: before.status,
        ...(body.url && storedAddress(deps.sealer, before.format, body.url)),
        ...(body.events && { events: [...new Set(body.events)] }),
        ...(body.description !== undefined && { description: body.description }),
        ...(body.status === 'paused' &&
          before.status !== 'paused' && { status: 'paused', pausedAt: new Date(), pausedReason: `Paused by ${p.name}` }),
        ...(resumes && { status: 'active', pausedAt: null, pausedReason: null, failingSince: null }),
      },
    });
    if (count === 0) throw new ConflictError(`Webhook ${id} was changed at the same moment: read it again, then change it`);
    const updated = await tx.webhookSubscription.findUniqueOrThrow({ where: { id: before.id } });
    await audit(tx, p, 'webhook.changed', updated, { ...body, ...(body.url && { url: shownAddress(updated) }) });
    return updated;
  });
  if (resumes) await wakeWebhook(deps, row.id);
  return webhookJson(row);
}

/** Removes a subscription with its deliveries; its workflow finds nothing more to send and ends. */
export async function removeWebhook(deps: Deps, p: Principal, id: string) {
  const row = await visibleWebhook(deps.db, p, id);
  await deps.db.$transaction(async (tx) => {
    await tx.webhookSubscription.delete({ where: { id: row.id } });
    await audit(tx, p, 'webhook.removed', row, { url: shownAddress(row) });
  });
}

/**
 * A new signing secret. The previous one signs as well for a day (each delivery carries both
 * signatures), so receivers switch to the new one whenever they like within it, without a gap.
 */
export async function rotateWebhookSecret(deps: SealingDeps, p: Principal, id: string) {
  const row = await visibleWebhook(deps.db, p, id);
  if (row.format !== 'standard') throw new ValidationError(`A ${row.format} webhook has no signing secret: its address is its secret`);
  const secret = newSigningSecret();
  const until = new Date(Date.now() + PREVIOUS_SECRET_SIGNS_MS);
  const updated = await deps.db.$transaction(async (tx) => {
    // Guarded by the secret read (as stored): two rotations at once make one previous secret, not a lost one.
    const { count } = await tx.webhookSubscription.updateMany({
      where: { id: row.id, secret: row.secret },
      data: { secret: deps.sealer.seal(secret, SIGNING_SECRET), previousSecret: row.secret, previousSecretUntil: until },
    });
    if (count === 0) throw new ConflictError('The secret was rotated at the same moment: the other rotation holds');
    await audit(tx, p, 'webhook.secret_rotated', row, { previousSecretUntil: until.toISOString() });
    return tx.webhookSubscription.findUniqueOrThrow({ where: { id: row.id } });
  });
  return { ...webhookJson(updated), secret };
}

/** A subscription's deliveries, newest first, each with its attempts (newest first, 10 at most). */
export async function listDeliveries(
  db: Db,
  p: Principal,
  id: string,
  query: { status?: 'pending' | 'delivered' | undefined; limit: number },
) {
  const row = await visibleWebhook(db, p, id);
  const rows = await db.webhookDelivery.findMany({
    where: { subscriptionId: row.id, ...(query.status && { status: query.status }) },
    orderBy: { eventId: 'desc' },
    take: query.limit,
    include: { attempts: { orderBy: { at: 'desc' }, take: 10 }, _count: { select: { attempts: true } } },
  });
  return rows.map((d) => ({
    id: d.id,
    messageId: `msg_${d.id}`,
    type: d.type,
    partnershipId: d.partnershipId,
    eventId: d.eventId.toString(),
    status: d.status,
    createdAt: d.createdAt.toISOString(),
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
    attemptCount: d._count.attempts,
    attempts: d.attempts.map((a) => ({ at: a.at.toISOString(), statusCode: a.statusCode, response: a.response, durationMs: a.durationMs })),
  }));
}

/**
 * Sends a delivery again (with the same webhook-id, so a receiver that has it can tell): it waits
 * again, after those before it.
 */
export async function redeliver(deps: Deps, p: Principal, id: string, deliveryId: string) {
  const row = await visibleWebhook(deps.db, p, id);
  if (!z.uuid().safeParse(deliveryId).success) throw new NotFoundError(`Delivery ${deliveryId} does not exist`);
  const { count } = await deps.db.webhookDelivery.updateMany({
    where: { id: deliveryId, subscriptionId: row.id },
    data: { status: 'pending', deliveredAt: null },
  });
  if (count === 0) throw new NotFoundError(`Delivery ${deliveryId} does not exist`);
  await deps.db.$transaction(async (tx) => audit(tx, p, 'webhook.redelivered', row, { deliveryId }));
  if (row.status === 'active') await wakeWebhook(deps, row.id);
}

function audit(tx: Pick<Db, 'auditEvent'>, p: Principal, action: string, s: WebhookSubscription, data: Prisma.InputJsonObject) {
  return recordAudit(tx, p, {
    action,
    subjectKind: s.cohortId ? 'cohort' : 'organization',
    subjectId: s.cohortId ?? s.organizationId,
    data: { webhookId: s.id, ...data },
  });
}

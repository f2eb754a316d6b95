import { z } from 'zod';
import { WEBHOOK_EVENT_TYPES } from '../../core/webhooks/events.js';
import {
  changeWebhook,
  createWebhook,
  listDeliveries,
  listWebhooks,
  newWebhookBody,
  redeliver,
  removeWebhook,
  rotateWebhookSecret,
  visibleWebhook,
  webhookChanges,
  webhookJson,
} from '../../core/webhooks/subscriptions.js';
import { route, tagged } from '../http/route.js';

const webhookSchema = z
  .object({
    id: z.uuid(),
    organizationId: z.uuid().nullable(),
    cohortId: z.uuid().nullable(),
    url: z.string().meta({
      description:
        'The endpoint; a slack or teams address, a credential, only as its origin and last four characters (https://hooks.slack.com/…AbCd).',
    }),
    format: z.enum(['standard', 'slack', 'teams']),
    events: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
    description: z.string(),
    status: z.enum(['active', 'paused']),
    pausedAt: z.string().nullable(),
    pausedReason: z.string().nullable(),
    failingSince: z.string().nullable().meta({ description: 'Since when its oldest waiting delivery fails; null when all goes well.' }),
    previousSecretUntil: z.string().nullable().meta({ description: 'Until when the secret before the last rotation still signs.' }),
    createdBy: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'Webhook' });

const withSecret = webhookSchema
  .extend({
    secret: z
      .string()
      .nullable()
      .meta({ description: 'The signing secret (whsec_…), shown this once; null for slack and teams, whose address is the secret.' }),
  })
  .meta({ id: 'WebhookWithSecret' });

const deliverySchema = z
  .object({
    id: z.uuid(),
    messageId: z.string().meta({ description: 'The webhook-id header it is sent with (the same on every attempt and redelivery).' }),
    type: z.enum(WEBHOOK_EVENT_TYPES),
    partnershipId: z.uuid(),
    eventId: z.string(),
    status: z.enum(['pending', 'delivered']),
    createdAt: z.string(),
    deliveredAt: z.string().nullable(),
    attemptCount: z.number().int(),
    attempts: z.array(
      z.object({
        at: z.string(),
        statusCode: z.number().int().nullable().meta({ description: 'The HTTP status, or null when no answer came.' }),
        response: z.string().meta({ description: "The answer's first 1,000 characters, or why none came." }),
        durationMs: z.number().int(),
      }),
    ),
  })
  .meta({ id: 'WebhookDelivery' });

const KEEPERS =
  "An organization's subscriptions are kept by the installation's admin, its key and its admins; a cohort's by its coordinators and its key; the installation's by its admins. Any other is a 404.";

/** Webhook subscriptions and their deliveries (core/webhooks/). */
export const webhookRoutes = tagged('Webhooks', [
  route('POST /webhooks', {
    operationId: 'createWebhook',
    summary: 'Subscribe an endpoint to events',
    description: `Tells an HTTPS endpoint of the events it names, in the partnerships its owner sees: an organization's (as district or partner), a cohort's, or with neither the installation's (every partnership). standard deliveries are signed by the Standard Webhooks specification; slack and teams post a readable message in the platform's format. Deliveries go in event order; one that fails is tried again for a day, then the subscription is paused and its keepers told. ${KEEPERS}`,
    access: 'member',
    body: newWebhookBody,
    errors: [403, 404],
    responses: { 201: { description: 'Subscribed', schema: withSecret } },
    handle: async ({ body, caller, deps }) => ({ body: await createWebhook(deps, caller, body) }),
  }),
  route('GET /webhooks', {
    operationId: 'listWebhooks',
    summary: 'List the webhook subscriptions the caller keeps',
    access: 'member',
    responses: { 200: { description: 'Its subscriptions, oldest first', schema: z.object({ items: z.array(webhookSchema) }) } },
    handle: async ({ caller, deps }) => ({ body: { items: await listWebhooks(deps.db, caller) } }),
  }),
  route('GET /webhooks/:id', {
    operationId: 'getWebhook',
    summary: 'Read a webhook subscription',
    access: 'member',
    errors: [404],
    responses: { 200: { description: 'The subscription', schema: webhookSchema } },
    handle: async ({ params, caller, deps }) => ({ body: webhookJson(await visibleWebhook(deps.db, caller, params.id)) }),
  }),
  route('PATCH /webhooks/:id', {
    operationId: 'changeWebhook',
    summary: 'Change, pause or resume a webhook subscription',
    description:
      'Resuming ("status": "active") sends what waited for it, in order, each once. A change sent while another changes its status is refused with 409: read it again, then change it.',
    access: 'member',
    body: webhookChanges,
    errors: [403, 404, 409],
    responses: { 200: { description: 'Changed', schema: webhookSchema } },
    handle: async ({ params, body, caller, deps }) => ({ body: await changeWebhook(deps, caller, params.id, body) }),
  }),
  route('POST /webhooks/:id/remove', {
    operationId: 'removeWebhook',
    summary: 'Remove a webhook subscription',
    description: 'With its deliveries and their attempts; nothing more is sent to it.',
    access: 'member',
    errors: [403, 404],
    responses: { 204: { description: 'Removed' } },
    async handle({ params, caller, deps }) {
      await removeWebhook(deps, caller, params.id);
      return { body: null };
    },
  }),
  route('POST /webhooks/:id/rotate-secret', {
    operationId: 'rotateWebhookSecret',
    summary: "Rotate a webhook's signing secret",
    description:
      'A new secret, shown this once. For a day, every delivery carries a signature by the previous secret as well, so the receiver switches to the new one when it likes, without a gap.',
    access: 'member',
    errors: [403, 404],
    responses: { 200: { description: 'Rotated', schema: withSecret } },
    handle: async ({ params, caller, deps }) => ({ body: await rotateWebhookSecret(deps, caller, params.id) }),
  }),
  route('GET /webhooks/:id/deliveries', {
    operationId: 'listWebhookDeliveries',
    summary: "List a webhook's deliveries with their attempts",
    access: 'member',
    query: z.object({
      status: z.enum(['pending', 'delivered']).optional(),
      limit: z.coerce.number().int().min(1).max(100).default(50),
    }),
    errors: [403, 404],
    responses: { 200: { description: 'Newest first', schema: z.object({ items: z.array(deliverySchema) }) } },
    handle: async ({ params, query, caller, deps }) => ({ body: { items: await listDeliveries(deps.db, caller, params.id, query) } }),
  }),
  route('POST /webhooks/:id/deliveries/:deliveryId/redeliver', {
    operationId: 'redeliverWebhook',
    summary: 'Send a delivery again',
    description: 'With the same webhook-id, after the deliveries waiting before it (at once when the subscription is active).',
    access: 'member',
    errors: [403, 404],
    responses: { 202: { description: 'It waits to go again' } },
    async handle({ params, caller, deps }) {
      await redeliver(deps, caller, params.id, params.deliveryId);
      return { body: null };
    },
  }),
]);

import { z } from 'zod';
import { wakeMailbox } from '../../activities/mail/mailbox.js';
import { changeMailSettings, mailSettingsBody } from '../../core/people/identity.js';
import type { Principal } from '../../core/people/principal.js';
import { partnershipScope, personScope } from '../../core/people/rights.js';
import type { Person, Prisma } from '../../generated/prisma/client.js';
import { ConflictError, NotFoundError } from '../../lib/errors.js';
import { keyset, page, pageQuery, pageSchema } from '../../lib/pagination.js';
import { route, tagged } from '../http/route.js';

const mailSettingsSchema = z
  .object({
    personId: z.uuid(),
    email: z.string(),
    timeZone: z.string().nullable(),
    delivery: z.enum(['immediate', 'daily_digest']),
    digestHour: z.number(),
    quietHours: z.object({ from: z.string(), until: z.string() }).nullable(),
    bounce: z.object({ at: z.string(), reason: z.string() }).nullable(),
  })
  .meta({ id: 'MailSettings' });

export const mailSettingsJson = (p: Person) => ({
  personId: p.id,
  email: p.email,
  timeZone: p.timeZone,
  delivery: p.mailDelivery,
  digestHour: p.digestHour,
  quietHours: p.quietFrom && p.quietUntil ? { from: p.quietFrom, until: p.quietUntil } : null,
  bounce: p.emailBouncedAt ? { at: p.emailBouncedAt.toISOString(), reason: p.emailBounce ?? '' } : null,
});

const emailStatus = z.enum(['pending', 'held', 'sending', 'sent', 'failed', 'bounced', 'unconfirmed']);

const outboxSchema = z
  .object({
    id: z.uuid(),
    messageKey: z.string(),
    template: z.string(),
    partnershipId: z.uuid().nullable(),
    personId: z.uuid().nullable(),
    recipient: z.string(),
    subject: z.string(),
    status: emailStatus,
    inDigest: z.boolean(),
    digestId: z.uuid().nullable(),
    attempts: z.number(),
    dueAt: z.string().nullable(),
    sendAfter: z.string().nullable(),
    sentAt: z.string().nullable(),
    lastError: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'OutboxMessage' });

type OutboxRow = Prisma.EmailOutboxGetPayload<object>;
const iso = (d: Date | null) => d?.toISOString() ?? null;
const outboxJson = (r: OutboxRow) => ({
  id: r.id,
  messageKey: r.messageKey,
  template: r.template,
  partnershipId: r.partnershipId,
  personId: r.personId,
  recipient: r.recipient,
  subject: r.subject,
  status: r.status,
  inDigest: r.inDigest,
  digestId: r.digestId,
  attempts: r.attempts,
  dueAt: iso(r.dueAt),
  sendAfter: iso(r.sendAfter),
  sentAt: iso(r.sentAt),
  lastError: r.lastError,
  createdAt: r.createdAt.toISOString(),
});

// A digest belongs to no partnership: it is visible with its person.
const outboxScope = (caller: Principal): Prisma.EmailOutboxWhereInput =>
  caller.kind === 'key' && caller.role === 'admin'
    ? {}
    : { OR: [{ partnership: partnershipScope(caller) }, { partnershipId: null, person: personScope(caller) }] };

const RETRYABLE = ['failed', 'bounced', 'unconfirmed'] as const;

/** How each person receives mail, what the outbox holds, and the unsubscribe links in optional mail. */
export const notificationRoutes = tagged('Mail', [
  route('PATCH /people/:id/mail-settings', {
    operationId: 'updateMailSettings',
    summary: 'Change how a person receives mail',
    description:
      "Zone, immediate or daily digest (at a local hour), quiet hours. Read at each send, so no workflow is involved. A person's settings are theirs: only an admin key changes them through the API, and only an admin key changes an address (recorded in the audit log; the old and the new address are told, the person is signed out everywhere and a recorded bounce is cleared).",
    tag: 'People',
    access: 'member',
    body: mailSettingsBody,
    errors: [403, 404, 409],
    responses: { 200: { description: 'The mail settings', schema: mailSettingsSchema } },
    handle: async ({ params, body, caller, deps }) => ({ body: mailSettingsJson(await changeMailSettings(deps, caller, params.id, body)) }),
  }),
  route('GET /outbox', {
    operationId: 'listOutbox',
    summary: 'List outgoing mail',
    description:
      'Every copy of every message, one per recipient, with its delivery status: failed (retries ran out), bounced (address refused) and unconfirmed (a worker stopped mid-send) need a person to look.',
    access: 'member',
    query: pageQuery(['createdAt'], '-createdAt').extend({
      status: emailStatus.optional(),
      template: z.string().max(100).optional(),
      partnershipId: z.uuid().optional(),
      personId: z.uuid().optional(),
    }),
    responses: { 200: { description: 'One page of outgoing mail', schema: pageSchema(outboxSchema) } },
    async handle({ query, caller, deps }) {
      const k = keyset(query);
      const rows = await deps.db.emailOutbox.findMany({
        where: {
          AND: [
            outboxScope(caller),
            { status: query.status, template: query.template, partnershipId: query.partnershipId, personId: query.personId },
            k.where as Prisma.EmailOutboxWhereInput,
          ],
        },
        orderBy: k.orderBy,
        take: k.take,
      });
      return { body: page(rows, query, k.field, outboxJson) };
    },
  }),
  route('POST /outbox/:id/retry', {
    operationId: 'retryOutboxMessage',
    summary: 'Send a message again',
    description:
      "A failed, bounced or unconfirmed copy goes out again, at once, to the person's current address, through their mailbox workflow. An unconfirmed copy may have arrived already: send it again only when its recipient says it did not. A bounced address is tried again only once it has changed.",
    access: 'manager',
    errors: [404, 409],
    responses: { 200: { description: 'The copy, held for delivery now', schema: outboxSchema } },
    async handle({ params, caller, deps }) {
      const row = await deps.db.emailOutbox.findFirst({
        where: { AND: [{ id: params.id }, outboxScope(caller)] },
        include: { person: true },
      });
      if (!row) throw new NotFoundError(`Message ${params.id} does not exist`);
      if (!(RETRYABLE as readonly string[]).includes(row.status)) {
        throw new ConflictError(`Only a failed, bounced or unconfirmed message is sent again; this one is ${row.status}`);
      }
      if (!row.person) throw new ConflictError('This message was recorded before messages had a person, and cannot be sent again');
      if (row.digestId) throw new ConflictError(`This message went out in digest ${row.digestId}: send the digest again`);
      const { person } = row;
      // Held and the mailbox woken in one transaction: if Temporal refuses, the message stays as it was.
      const held = await deps.db.$transaction(async (tx) => {
        const [updated] = await tx.emailOutbox.updateManyAndReturn({
          where: { id: row.id, status: row.status },
          data: { status: 'held', recipient: person.email, inDigest: false, sendAfter: new Date(), lastError: null },
        });
        if (!updated) throw new ConflictError('The message changed meanwhile; look at it again');
        await wakeMailbox(deps.temporal, deps.taskQueue, person.id);
        return updated;
      });
      return { body: outboxJson(held) };
    },
  }),
]);

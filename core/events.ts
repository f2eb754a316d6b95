import type { Prisma } from '../generated/prisma/client.js';
import type { Db } from '../lib/db/client.js';
import type { Actor } from '../workflows/actor.js';
import { publicEventType } from './webhooks/events.js';

type Tx = Pick<Db, 'partnershipEvent' | '$executeRaw'>;

/**
 * Appends to the partnership's timeline once per idempotency key (ON CONFLICT DO NOTHING: one
 * statement, where an upsert is three), naming who acted: the actor given, or the system.
 *
 * An event that webhook subscribers may hear of (core/webhooks/events.ts) is also written as one
 * delivery per subscription that wants it and may see the partnership: an outbox, in the caller's
 * transaction when it has one; without, a retry of the caller writes what a crash left out, since
 * both statements are idempotent. Only subscriptions older than the event get it.
 */
export async function recordEvent(
  db: Tx,
  partnershipId: string,
  idempotencyKey: string,
  type: string,
  data: Prisma.InputJsonObject = {},
  actor?: Actor | null,
) {
  await db.partnershipEvent.createMany({
    data: [{ partnershipId, idempotencyKey, type, data, ...actorColumns(actor), via: actor?.via ?? null }],
    skipDuplicates: true,
  });
  const publicType = publicEventType(type, data);
  if (publicType) {
    await db.$executeRaw`
      INSERT INTO webhook_delivery (id, subscription_id, event_id, partnership_id, type)
      SELECT gen_random_uuid(), s.id, e.id, e.partnership_id, ${publicType}
      FROM partnership_event e
      JOIN partnership p ON p.id = e.partnership_id
      JOIN webhook_subscription s ON ${publicType} = ANY (s.events) AND s.created_at <= e.occurred_at
        AND (s.organization_id IN (p.district_id, p.partner_id) OR s.cohort_id = p.cohort_id
             OR (s.organization_id IS NULL AND s.cohort_id IS NULL))
      WHERE e.idempotency_key = ${idempotencyKey}
      ON CONFLICT (subscription_id, event_id) DO NOTHING`;
  }
}

/** The event columns that name an actor. */
export const actorColumns = (actor?: Actor | null) => ({
  actor: actor?.kind ?? 'system',
  actorId: actor?.id ?? null,
  actorName: actor?.name ?? null,
  onBehalfOfId: actor?.onBehalfOf?.id ?? null,
  onBehalfOfName: actor?.onBehalfOf?.name ?? null,
});

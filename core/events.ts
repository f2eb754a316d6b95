import type { Prisma } from '../generated/prisma/client.js';
import type { Db } from '../lib/db/client.js';
import type { Actor } from '../workflows/actor.js';

type Tx = Pick<Db, 'partnershipEvent'>;

/**
 * Appends to the partnership's timeline once per idempotency key (ON CONFLICT DO NOTHING: one
 * statement, where an upsert is three), naming who acted: the actor given, or the system.
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
}

/** The event columns that name an actor. */
export const actorColumns = (actor?: Actor | null) => ({
  actor: actor?.kind ?? 'system',
  actorId: actor?.id ?? null,
  actorName: actor?.name ?? null,
  onBehalfOfId: actor?.onBehalfOf?.id ?? null,
  onBehalfOfName: actor?.onBehalfOf?.name ?? null,
});

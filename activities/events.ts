import type { Prisma } from '../generated/prisma/client.js';
import type { Db } from '../lib/db/client.js';

type Tx = Pick<Db, 'partnershipEvent'>;

/** Appends to the partnership's timeline once per idempotency key. */
export async function recordEvent(db: Tx, partnershipId: string, idempotencyKey: string, type: string, data: Prisma.InputJsonObject = {}) {
  // ON CONFLICT DO NOTHING: one statement, where an upsert is three.
  await db.partnershipEvent.createMany({ data: [{ partnershipId, idempotencyKey, type, actor: 'system', data }], skipDuplicates: true });
}

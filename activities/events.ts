import type { Prisma } from '../generated/prisma/client.js';
import type { Db } from '../lib/db/client.js';

type Tx = Pick<Db, 'partnershipEvent'>;

/** Appends to the partnership's timeline once per idempotency key. */
export async function recordEvent(db: Tx, partnershipId: string, idempotencyKey: string, type: string, data: Prisma.InputJsonObject = {}) {
  await db.partnershipEvent.upsert({
    where: { idempotencyKey },
    create: { partnershipId, idempotencyKey, type, actor: 'system', data },
    update: {},
  });
}

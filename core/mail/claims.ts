import type { Prisma } from '../../generated/prisma/client.js';
import type { Db } from '../../lib/db/client.js';
import { gatheredByTurn } from '../../lib/db/gathered.js';

/**
 * The outbox's two writes a copy, claimed (pending -> sending) and sent (sending -> sent), each
 * gathered into one statement with the others made in the same turn of the event loop. Each copy is
 * still claimed only once a connection of the pool is free for it (`notify`), and marked sent once
 * its SMTP transaction is over; but the pool's connections often free up together (a notice's first
 * group, several SMTP answers read in one poll): in a burst of reminders this halves the outbox's
 * statements (BENCHMARKS.md, "The claims, gathered").
 */

type Claimed = Awaited<ReturnType<Db['emailOutbox']['updateManyAndReturn']>>[number];
// What a sent mark returns: what the lateness metric reads.
const sentFields = {
  id: true,
  template: true,
  dueAt: true,
  sendAfter: true,
  createdAt: true,
  sentAt: true,
} satisfies Prisma.EmailOutboxSelect;
type Sent = Prisma.EmailOutboxGetPayload<{ select: typeof sentFields }>;

/** One update for the ids asked in a turn; one id asked twice took effect once, for its first asker. */
function gathered<R extends { id: string }>(update: (db: Db, ids: string[]) => Promise<R[]>) {
  return gatheredByTurn<string, R | null>(async (db, ids) => firstAskerOnly(ids, await update(db, [...ids])));
}

const claims = gathered((db, ids) =>
  db.emailOutbox.updateManyAndReturn({
    where: { id: { in: ids }, status: 'pending' },
    data: { status: 'sending', attempts: { increment: 1 }, firstAttemptAt: new Date() },
  }),
);

const marks = gathered((db, ids) =>
  db.emailOutbox.updateManyAndReturn({
    where: { id: { in: ids }, status: 'sending' },
    data: { status: 'sent', sentAt: new Date(), lastError: null },
    select: sentFields,
  }),
);

/** Claims a fresh copy for its first attempt; null when another attempt (the mail sweep) holds it. */
export function claimFresh(db: Db, id: string): Promise<Claimed | null> {
  return claims(db).load(id);
}

/** Marks a claimed copy sent; what it was (for the lateness metric), or null when it was not `sending`. */
export function markOneSent(db: Db, id: string): Promise<Sent | null> {
  return marks(db).load(id);
}

/** One id asked for twice in a batch took effect once: only its first asker gets the row. */
function firstAskerOnly<R extends { id: string }>(ids: readonly string[], rows: R[]): (R | null)[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => {
    const row = byId.get(id) ?? null;
    byId.delete(id);
    return row;
  });
}

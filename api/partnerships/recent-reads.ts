import { LRUCache } from 'lru-cache';
import type { Prisma } from '../../generated/prisma/client.js';
import type { Db } from '../../lib/db/client.js';
import { partnershipProgress } from './next-steps.js';

/**
 * How long this process answers `GET /partnerships/:id` from its recent read of the same
 * partnership. Two statements a read held reads at 0.04 of an Express hello-world; without them,
 * 0.30 (BENCHMARKS.md, "What a cache of partnerships could buy a read"). What it costs: a change
 * made elsewhere (by a workflow's activity in a worker process, by another API replica, by a
 * command-line tool) shows up to this long late. A change made through this process's own HTTP
 * server (any request but a GET or HEAD, API or page) forgets every recent read when it arrives and
 * again when it is answered (boot/http.ts).
 */
export const RECENT_READ_MS = 1_000;

const include = {
  district: true,
  partner: true,
  members: { include: { person: true } },
  reviews: { orderBy: { sequence: 'asc' } },
} satisfies Prisma.PartnershipInclude;

export type PartnershipRead = {
  partnership: Prisma.PartnershipGetPayload<{ include: typeof include }> | null;
  progress: Awaited<ReturnType<typeof partnershipProgress>>;
};

// A read records the generation it began in and is reused only while no change has been answered
// since: one that began before a change committed and ended after it is never kept. A read is kept
// past its own answer only for a partnership asked for again within the second: one read less often
// than that would never be reused, and would only hold memory. (Renewing a read in the background
// before its time ran out, so that no request waits for one, was measured slower: a fifth more
// reads, and on two cores the reads' statements are what the requests wait for; BENCHMARKS.md.)
let generation = 0;
const recent = new LRUCache<string, { generation: number; read: Promise<PartnershipRead> }>({ max: 5_000, ttl: RECENT_READ_MS });
const askedFor = new LRUCache<string, true>({ max: 50_000, ttl: RECENT_READ_MS });

/** A change was answered by this process: no read made before it is reused. */
export function forgetRecentReads(): void {
  generation++;
}

/**
 * A partnership with its members, reviews and progress (two statements side by side), or this
 * process's read of it from the last second. Whoever asks at once shares one read. Who may see it is
 * decided by the caller (seesPartnership, core/people/rights.ts): the read is the same for everyone.
 */
export function readPartnership(db: Db, id: string): Promise<PartnershipRead> {
  const kept = recent.get(id);
  if (kept && kept.generation === generation) return kept.read;
  const entry = {
    generation,
    read: Promise.all([db.partnership.findFirst({ where: { id }, include }), partnershipProgress(db, id)]).then(
      ([partnership, progress]) => ({ partnership, progress }),
    ),
  };
  const again = askedFor.has(id);
  askedFor.set(id, true);
  recent.set(id, entry);
  // A failed read (the database unreachable) is not remembered: the next request asks again. One
  // asked for once is shared while it is made, then let go.
  entry.read.then(
    () => !again && recent.get(id) === entry && recent.delete(id),
    () => recent.get(id) === entry && recent.delete(id),
  );
  return entry.read;
}

import { LRUCache } from 'lru-cache';
import type { Prisma } from '../../generated/prisma/client.js';
import type { Db } from '../../lib/db/client.js';
import { gatheredByTurn } from '../../lib/db/gathered.js';
import { type Progress, partnershipsProgress } from './next-steps.js';

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
  progress: Progress;
};

/**
 * The partnerships read in a turn of the event loop, in two statements side by side whatever their
 * number (lib/db/gathered.ts): at 50 connections reading different partnerships, several requests
 * arrive in each turn.
 */
const reads = gatheredByTurn<string, PartnershipRead>(async (db, ids) => {
  const [rows, progress] = await Promise.all([
    db.partnership.findMany({ where: { id: { in: [...ids] } }, include }),
    partnershipsProgress(db, ids),
  ]);
  const byId = new Map(rows.map((p) => [p.id, p]));
  return ids.map((id, i) => ({ partnership: byId.get(id.toLowerCase()) ?? null, progress: progress[i] as Progress }));
});

// A read records the generation it began in and is reused only while no change has been answered
// since: one that began before a change committed and ended after it is never kept. (Two ways to
// read less were measured slower, BENCHMARKS.md: renewing a read in the background before its time
// ran out, a fifth more reads; keeping a read only for a partnership asked for again within the
// second, twice the reads of one asked for ten times a second. On two cores the reads' statements
// are what the requests wait for.)
let generation = 0;
const recent = new LRUCache<string, { generation: number; read: Promise<PartnershipRead> }>({ max: 5_000, ttl: RECENT_READ_MS });

/** A change was answered by this process: no read made before it is reused. */
export function forgetRecentReads(): void {
  generation++;
}

/**
 * A partnership with its members, reviews and progress (read with the others asked for in this turn),
 * or this process's read of it from the last second. Whoever asks at once shares one read. Who may see it is
 * decided by the caller (seesPartnership, core/people/rights.ts): the read is the same for everyone.
 */
export function readPartnership(db: Db, id: string): Promise<PartnershipRead> {
  const kept = recent.get(id);
  if (kept && kept.generation === generation) return kept.read;
  const entry = {
    generation,
    read: reads(db).load(id),
  };
  recent.set(id, entry);
  // A failed read (the database unreachable) is not remembered: the next request asks again.
  entry.read.catch(() => {
    if (recent.get(id) === entry) recent.delete(id);
  });
  return entry.read;
}

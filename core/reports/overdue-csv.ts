import { Readable } from 'node:stream';
import { DateTime } from 'luxon';
import type { Prisma } from '../../generated/prisma/client.js';
import { csvWriter } from '../../lib/csv.js';
import type { Db } from '../../lib/db/client.js';

const DAY_MS = 86_400_000;
/** Rows read per query: memory holds one batch, whatever the export's size. */
export const CSV_BATCH = 1000;

export const OVERDUE_CSV_COLUMNS = [
  'partnership',
  'description',
  'side',
  'owner',
  'owner_email',
  'due_local',
  'time_zone',
  'days_overdue',
  'status',
  'commitment_id',
];

/**
 * Overdue commitments as CSV, most overdue first, read in keyset batches and written as the reader
 * takes them (Readable.from pulls the next batch only when csv-stringify wants more), so that an
 * export of 100,000 rows never holds them all (bench/overdue-csv.ts measures it).
 */
export async function overdueCommitmentsCsv(db: Db, where: Prisma.CommitmentWhereInput, now: number): Promise<Readable> {
  // The first batch is read before anything is sent, so that a database that is down is still a 503.
  const first = await read(null);
  async function* rows() {
    let batch = first;
    for (;;) {
      for (const c of batch) {
        yield [
          c.partnership.name,
          c.description,
          c.side,
          c.owner.name,
          c.owner.email,
          DateTime.fromJSDate(c.dueAt, { zone: c.partnership.timeZone }).toFormat('yyyy-LL-dd HH:mm'),
          c.partnership.timeZone,
          Math.floor((now - c.dueAt.getTime()) / DAY_MS),
          c.status,
          c.id,
        ];
      }
      const last = batch.at(-1);
      if (!last || batch.length < CSV_BATCH) return;
      batch = await read({ dueAt: last.dueAt, id: last.id });
    }
  }
  function read(after: { dueAt: Date; id: string } | null) {
    return db.commitment.findMany({
      // "At or after the last due time, but not what was read at it": a range on the due_at index
      // (an OR of the two cases would make PostgreSQL scan from the start every batch).
      where: after ? { AND: [where, { dueAt: { gte: after.dueAt } }, { NOT: { dueAt: after.dueAt, id: { lte: after.id } } }] } : where,
      orderBy: [{ dueAt: 'asc' }, { id: 'asc' }],
      take: CSV_BATCH,
      select: {
        id: true,
        description: true,
        side: true,
        status: true,
        dueAt: true,
        owner: { select: { name: true, email: true } },
        partnership: { select: { name: true, timeZone: true } },
      },
    });
  }
  return Readable.from(rows()).pipe(csvWriter(OVERDUE_CSV_COLUMNS));
}

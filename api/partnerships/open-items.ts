import type { Db } from '../../lib/db/client.js';

/** What is still open in a partnership, counted in the database, which is where it is recorded. */
export interface OpenItems {
  commitments: { open: number; overdue: number };
  evidenceRequests: { open: number; overdue: number };
  /** Members who were prompted to reflect and have not answered, in windows still open. */
  reflectionsAwaited: number;
}

export async function countOpenItems(db: Db, partnershipId: string): Promise<OpenItems> {
  const [row] = await db.$queryRaw<{ open_c: bigint; overdue_c: bigint; open_e: bigint; overdue_e: bigint; awaited: bigint }[]>`SELECT
      (SELECT count(*) FROM commitment WHERE partnership_id = ${partnershipId}::uuid AND status = 'open') AS open_c,
      (SELECT count(*) FROM commitment WHERE partnership_id = ${partnershipId}::uuid AND status = 'overdue') AS overdue_c,
      (SELECT count(*) FROM evidence_request WHERE partnership_id = ${partnershipId}::uuid AND status = 'open') AS open_e,
      (SELECT count(*) FROM evidence_request WHERE partnership_id = ${partnershipId}::uuid AND status = 'overdue') AS overdue_e,
      (SELECT count(*) FROM reflection r JOIN review v ON v.id = r.review_id
        WHERE v.partnership_id = ${partnershipId}::uuid AND r.submitted_at IS NULL AND v.reflections_closed_at IS NULL) AS awaited`;
  if (!row) throw new Error('counting open items returned no row');
  return {
    commitments: { open: Number(row.open_c), overdue: Number(row.overdue_c) },
    evidenceRequests: { open: Number(row.open_e), overdue: Number(row.overdue_e) },
    reflectionsAwaited: Number(row.awaited),
  };
}

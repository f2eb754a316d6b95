import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { type OpenCounts, openCountsSignal } from '../../workflows/partnership-shared.js';
import type { Db } from '../db/client.js';
import { partnershipWorkflowId } from './ids.js';

/** What is still open in a partnership, as of the database's clock. */
export async function countOpen(db: Db, partnershipId: string): Promise<OpenCounts> {
  const [row] = await db.$queryRaw<
    { as_of: Date; open_c: bigint; overdue_c: bigint; open_e: bigint; overdue_e: bigint; awaited: bigint }[]
  >`SELECT clock_timestamp() AS as_of,
      (SELECT count(*) FROM commitment WHERE partnership_id = ${partnershipId}::uuid AND status = 'open') AS open_c,
      (SELECT count(*) FROM commitment WHERE partnership_id = ${partnershipId}::uuid AND status = 'overdue') AS overdue_c,
      (SELECT count(*) FROM evidence_request WHERE partnership_id = ${partnershipId}::uuid AND status = 'open') AS open_e,
      (SELECT count(*) FROM evidence_request WHERE partnership_id = ${partnershipId}::uuid AND status = 'overdue') AS overdue_e,
      (SELECT count(*) FROM reflection r JOIN review v ON v.id = r.review_id
        WHERE v.partnership_id = ${partnershipId}::uuid AND r.submitted_at IS NULL AND v.reflections_closed_at IS NULL) AS awaited`;
  if (!row) throw new Error('counting open items returned no row');
  return {
    asOf: row.as_of.getTime(),
    commitments: { open: Number(row.open_c), overdue: Number(row.overdue_c) },
    evidenceRequests: { open: Number(row.open_e), overdue: Number(row.overdue_e) },
    reflectionsAwaited: Number(row.awaited),
  };
}

/**
 * Tells the partnership workflow what is open, so that its status query can answer without I/O.
 * The counts are absolute and stamped, so a repeated or late signal cannot make them wrong; an
 * ended partnership's workflow is gone and needs them no more.
 */
export async function publishOpenCounts(db: Db, temporal: Client, partnershipId: string): Promise<void> {
  const counts = await countOpen(db, partnershipId);
  try {
    await temporal.workflow.getHandle(partnershipWorkflowId(partnershipId)).signal(openCountsSignal, counts);
  } catch (e) {
    if (!(e instanceof WorkflowNotFoundError)) throw e;
  }
}

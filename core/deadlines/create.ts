import type { z } from 'zod';
import type { Commitment, EvidenceRequest, Prisma } from '../../generated/prisma/client.js';
import { startOrRollBack } from '../../lib/temporal/start.js';
import { parseOrThrow } from '../../lib/validation.js';
import { commitmentWorkflow } from '../../workflows/deadlines/commitment.js';
import { evidenceRequestWorkflow } from '../../workflows/deadlines/evidence.js';
import { commitmentWorkflowId, evidenceWorkflowId } from '../../workflows/ids.js';
import type { CoreDeps } from '../deps.js';
import { recordEvent } from '../events.js';
import { memberByEmail, openPartnership } from '../people/members.js';
import { actorOf, type Principal } from '../people/principal.js';
import { assertFuture } from './due.js';
import { deadlineCreated } from './events.js';
import { createCommitmentBody, createEvidenceRequestBody } from './schemas.js';

type Tx = Prisma.TransactionClient;
type Owner = ReturnType<typeof memberByEmail>;

/** Starts a new deadline's workflow, which reminds its owner, marks it overdue and escalates. */
export const START = {
  commitment: (deps: CoreDeps, id: string) =>
    deps.temporal.workflow.start(commitmentWorkflow, {
      workflowId: commitmentWorkflowId(id),
      taskQueue: deps.taskQueue,
      args: [{ commitmentId: id }],
    }),
  evidence: (deps: CoreDeps, id: string) =>
    deps.temporal.workflow.start(evidenceRequestWorkflow, {
      workflowId: evidenceWorkflowId(id),
      taskQueue: deps.taskQueue,
      args: [{ requestId: id }],
    }),
};

/** The columns every deadline has, whatever its kind. */
type DeadlineRow = { partnershipId: string; ownerId: string; description: string; dueAt: Date };

/**
 * A deadline made on its own (not pledged at a review), the same for both kinds: its owner must be a
 * member, its due time ahead; the row, its timeline event and its workflow's start are one unit (if
 * Temporal refuses, nothing is kept).
 */
async function createDeadline<T extends { id: string; dueAt: Date }>(
  deps: CoreDeps,
  p: Principal,
  partnershipId: string,
  input: { ownerEmail: string; dueAt: string; description: string },
  kind: keyof typeof START,
  insert: (tx: Tx, row: DeadlineRow, owner: Owner) => Promise<T>,
): Promise<T> {
  const partnership = await openPartnership(deps.db, p, partnershipId);
  const owner = memberByEmail(partnership, input.ownerEmail, 'ownerEmail');
  assertFuture([{ path: 'dueAt', at: input.dueAt }], Date.now());
  return deps.db.$transaction(async (tx) => {
    const row = await insert(
      tx,
      { partnershipId: partnership.id, ownerId: owner.person.id, description: input.description, dueAt: new Date(input.dueAt) },
      owner,
    );
    const { key, type, data } = deadlineCreated(kind, row);
    await recordEvent(tx, partnership.id, key, type, data, actorOf(p));
    await startOrRollBack(deps.logger, kind === 'commitment' ? 'commitment' : 'evidence request', () => START[kind](deps, row.id));
    return row;
  });
}

/** A commitment: its side is the owner's unless said. */
export function createCommitment(deps: CoreDeps, p: Principal, partnershipId: string, raw: z.input<typeof createCommitmentBody>) {
  const body = parseOrThrow(createCommitmentBody, raw, 'commitment');
  return createDeadline<Commitment>(deps, p, partnershipId, body, 'commitment', (tx, row, owner) =>
    tx.commitment.create({ data: { ...row, side: body.side ?? owner.side } }),
  );
}

/** An evidence request: what the partnership asks to see, of which kinds. */
export function createEvidenceRequest(deps: CoreDeps, p: Principal, partnershipId: string, raw: z.input<typeof createEvidenceRequestBody>) {
  const body = parseOrThrow(createEvidenceRequestBody, raw, 'evidence request');
  return createDeadline<EvidenceRequest>(deps, p, partnershipId, body, 'evidence', (tx, row) =>
    tx.evidenceRequest.create({ data: { ...row, kinds: body.kinds } }),
  );
}

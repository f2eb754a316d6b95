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

/**
 * A deadline made on its own (not pledged at a review), the same for both kinds: its owner must be a
 * member, its due time ahead; the row, its timeline event and its workflow's start are one unit (if
 * Temporal refuses, nothing is kept).
 */
async function createDeadline<T extends { id: string; dueAt: Date }>(
  deps: CoreDeps,
  p: Principal,
  partnershipId: string,
  input: { ownerEmail: string; dueAt: string },
  kind: {
    insert: (tx: Tx, partnershipId: string, owner: Owner) => Promise<T>;
    event: (row: T) => { key: string; type: string; data: Prisma.InputJsonObject };
    start: (row: T) => Promise<unknown>;
    what: string;
  },
): Promise<T> {
  const partnership = await openPartnership(deps.db, p, partnershipId);
  const owner = memberByEmail(partnership, input.ownerEmail, 'ownerEmail');
  assertFuture([{ path: 'dueAt', at: input.dueAt }], Date.now());
  return deps.db.$transaction(async (tx) => {
    const row = await kind.insert(tx, partnership.id, owner);
    const { key, type, data } = kind.event(row);
    await recordEvent(tx, partnership.id, key, type, data, actorOf(p));
    await startOrRollBack(deps.logger, kind.what, () => kind.start(row));
    return row;
  });
}

/** A commitment: its side is the owner's unless said. */
export function createCommitment(deps: CoreDeps, p: Principal, partnershipId: string, raw: z.input<typeof createCommitmentBody>) {
  const body = parseOrThrow(createCommitmentBody, raw, 'commitment');
  return createDeadline<Commitment>(deps, p, partnershipId, body, {
    what: 'commitment',
    insert: (tx, id, owner) =>
      tx.commitment.create({
        data: {
          partnershipId: id,
          ownerId: owner.person.id,
          side: body.side ?? owner.side,
          description: body.description,
          dueAt: new Date(body.dueAt),
        },
      }),
    event: (c) => deadlineCreated('commitment', c),
    start: (c) =>
      deps.temporal.workflow.start(commitmentWorkflow, {
        workflowId: commitmentWorkflowId(c.id),
        taskQueue: deps.taskQueue,
        args: [{ commitmentId: c.id }],
      }),
  });
}

/** An evidence request: what the partnership asks to see, of which kinds. */
export function createEvidenceRequest(deps: CoreDeps, p: Principal, partnershipId: string, raw: z.input<typeof createEvidenceRequestBody>) {
  const body = parseOrThrow(createEvidenceRequestBody, raw, 'evidence request');
  return createDeadline<EvidenceRequest>(deps, p, partnershipId, body, {
    what: 'evidence request',
    insert: (tx, id, owner) =>
      tx.evidenceRequest.create({
        data: {
          partnershipId: id,
          ownerId: owner.person.id,
          description: body.description,
          kinds: body.kinds,
          dueAt: new Date(body.dueAt),
        },
      }),
    event: (r) => deadlineCreated('evidence', r),
    start: (r) =>
      deps.temporal.workflow.start(evidenceRequestWorkflow, {
        workflowId: evidenceWorkflowId(r.id),
        taskQueue: deps.taskQueue,
        args: [{ requestId: r.id }],
      }),
  });
}

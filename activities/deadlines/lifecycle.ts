import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { DateTime } from 'luxon';
import { recordEvent } from '../../core/events.js';
import type { Prisma } from '../../generated/prisma/client.js';
import type { Actor } from '../../workflows/actor.js';
import { replanDeadlineSignal } from '../../workflows/deadlines/messages.js';
import { commitmentWorkflowId, evidenceWorkflowId } from '../../workflows/ids.js';
import { DEADLINE_KINDS, type DeadlineKind } from './operations.js';

/**
 * What a partnership's pause and end do to its commitments and evidence requests. While it is paused
 * their notices are held back (operations.ts); resuming moves each open one by the pause's length,
 * recorded as an extension with that reason; ending closes each open one (a commitment dropped, an
 * evidence request waived) with the end's reason. Both run in the lifecycle change's transaction, so
 * a retried activity finds them done; then each deadline workflow is told to plan again.
 */

type Tx = Prisma.TransactionClient;
const OPEN = { in: ['open' as const, 'overdue' as const] };

async function openDeadlines(tx: Tx, partnershipId: string) {
  const select = { id: true, dueAt: true, status: true } as const;
  const where = { partnershipId, status: OPEN };
  const [commitments, requests] = await Promise.all([
    tx.commitment.findMany({ where, select }),
    tx.evidenceRequest.findMany({ where, select }),
  ]);
  return [
    ...commitments.map((row) => ({ kind: 'commitment' as const, ...row })),
    ...requests.map((row) => ({ kind: 'evidence' as const, ...row })),
  ];
}

const subjectOf = (kind: DeadlineKind, id: string) => (kind === 'commitment' ? { commitmentId: id } : { requestId: id });

/** The key of the extension a pause gave a deadline: also how its plan finds the pause (operations.ts). */
export const pauseExtensionKey = (kind: DeadlineKind, id: string, pausedAt: number) =>
  `${DEADLINE_KINDS[kind].prefix}:${id}:paused:${pausedAt}`;

/** Moves every open deadline of the partnership later by the pause's length; returns how many moved. */
export async function moveDeadlinesAfterPause(
  tx: Tx,
  input: { partnershipId: string; pausedAt: number; resumedAt: number; timeZone: string; actor?: Actor | undefined },
): Promise<number> {
  const length = input.resumedAt - input.pausedAt;
  if (length <= 0) return 0;
  const day = (ms: number) => DateTime.fromMillis(ms, { zone: input.timeZone }).toFormat('LLLL d, yyyy');
  const reason = `The partnership was paused from ${day(input.pausedAt)} to ${day(input.resumedAt)}`;
  let moved = 0;
  for (const d of await openDeadlines(tx, input.partnershipId)) {
    const to = new Date(d.dueAt.getTime() + length);
    // Still past after the move (it was overdue before the pause): it stays overdue.
    const data = { dueAt: to, status: to.getTime() > input.resumedAt ? ('open' as const) : ('overdue' as const) };
    const expected = { id: d.id, dueAt: d.dueAt, status: OPEN };
    const done =
      d.kind === 'commitment'
        ? await tx.commitment.updateMany({ where: expected, data })
        : await tx.evidenceRequest.updateMany({ where: expected, data });
    if (done.count === 0) continue;
    const history = { fromDueAt: d.dueAt, toDueAt: to, reason, actor: 'system' };
    if (d.kind === 'commitment') await tx.commitmentExtension.create({ data: { commitmentId: d.id, ...history } });
    else await tx.evidenceExtension.create({ data: { requestId: d.id, ...history } });
    await recordEvent(
      tx,
      input.partnershipId,
      pauseExtensionKey(d.kind, d.id, input.pausedAt),
      `${DEADLINE_KINDS[d.kind].prefix}.extended`,
      {
        ...subjectOf(d.kind, d.id),
        from: d.dueAt.toISOString(),
        to: to.toISOString(),
        reason,
        pausedFrom: new Date(input.pausedAt).toISOString(),
        pausedUntil: new Date(input.resumedAt).toISOString(),
      },
      input.actor,
    );
    moved++;
  }
  return moved;
}

/** Closes every open deadline of an ending partnership; returns how many it closed. */
export async function closeDeadlinesAtEnd(
  tx: Tx,
  input: { partnershipId: string; at: number; note: string; actor?: Actor | undefined },
): Promise<number> {
  let closed = 0;
  const data = { closedAt: new Date(input.at), closeNote: input.note };
  for (const d of await openDeadlines(tx, input.partnershipId)) {
    const where = { id: d.id, status: OPEN };
    const done =
      d.kind === 'commitment'
        ? await tx.commitment.updateMany({ where, data: { ...data, status: 'dropped' } })
        : await tx.evidenceRequest.updateMany({ where, data: { ...data, status: 'waived' } });
    if (done.count === 0) continue;
    const { prefix } = DEADLINE_KINDS[d.kind];
    // The key of any closing: a deadline is closed once.
    await recordEvent(
      tx,
      input.partnershipId,
      `${prefix}:${d.id}:closed`,
      `${prefix}.${d.kind === 'commitment' ? 'dropped' : 'waived'}`,
      { ...subjectOf(d.kind, d.id), note: input.note },
      input.actor,
    );
    closed++;
  }
  return closed;
}

/**
 * Tells the workflow of every deadline of the partnership that was open at `since` or later to plan
 * again from the database (a deadline that has finished meanwhile is left alone).
 */
export async function replanDeadlines(db: Tx, partnershipId: string, since: Date): Promise<void> {
  const where = { partnershipId, OR: [{ status: OPEN }, { closedAt: { gte: since } }] };
  const [commitments, requests] = await Promise.all([
    db.commitment.findMany({ where, select: { id: true } }),
    db.evidenceRequest.findMany({ where, select: { id: true } }),
  ]);
  const client = Context.current().client;
  const ids = [...commitments.map((c) => commitmentWorkflowId(c.id)), ...requests.map((r) => evidenceWorkflowId(r.id))];
  for (const id of ids) {
    try {
      await client.workflow.getHandle(id).signal(replanDeadlineSignal);
    } catch (e) {
      if (!(e instanceof WorkflowNotFoundError)) throw e;
    }
    Context.current().heartbeat();
  }
}

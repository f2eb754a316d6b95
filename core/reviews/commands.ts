import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { ValidationError } from '../../lib/errors.js';
import { parseOrThrow } from '../../lib/validation.js';
import { recordOutcomeUpdate, rescheduleReviewUpdate } from '../../workflows/partnerships/messages.js';
import { assertFuture } from '../deadlines/due.js';
import { checkMeasureValues, recordMeasureValues } from '../measures/commands.js';
import { askPartnership, type Deps, partnershipFor } from '../partnership-workflow.js';
import { actorOf, type Principal } from '../people/principal.js';
import { assertLeads } from '../people/rights.js';
import { type OutcomeInput, outcomeInput, rescheduleBody } from './schemas.js';

/**
 * What people do to a partnership's reviews, for the API and the pages alike: move one, record its
 * outcome. Each checks the principal's rights (core/people/rights.ts), then asks the partnership's
 * workflow (core/partnership-workflow.ts), which validates it and records it, naming the actor.
 */

export async function rescheduleReview(deps: Deps, p: Principal, id: string, reviewId: string, input: z.input<typeof rescheduleBody>) {
  const { at } = parseOrThrow(rescheduleBody, input, 'request');
  const partnership = await partnershipFor(deps, p, id);
  await assertLeads(deps.db, p, partnership, 'reschedule a review');
  return askPartnership(deps, id, (h) =>
    h.executeUpdate(rescheduleReviewUpdate, { args: [{ reviewId, at: Date.parse(at), actor: actorOf(p) }] }),
  );
}

export type { OutcomeInput };

type PledgeOwner = { id: string } | { email: string };

/**
 * Records a review held (with what it pledged: created by the workflow together with the outcome,
 * under ids given here) or skipped.
 */
export async function recordOutcome(deps: Deps, p: Principal, id: string, reviewId: string, raw: OutcomeInput) {
  const input = parseOrThrow(outcomeInput, raw, 'outcome');
  const partnership = await partnershipFor(deps, p, id);
  await assertLeads(deps.db, p, partnership, "record a review's outcome");
  const actor = actorOf(p);
  if (input.outcome === 'skipped') {
    const status = await askPartnership(deps, id, (h) => h.executeUpdate(recordOutcomeUpdate, { args: [{ ...input, reviewId, actor }] }));
    return { status, created: { commitments: [] as string[], evidenceRequests: [] as string[] } };
  }
  assertFuture(
    [
      ...input.commitments.map((c, i) => ({ path: `commitments.${i}.dueAt`, at: c.dueAt })),
      ...input.evidenceRequests.map((e, i) => ({ path: `evidenceRequests.${i}.dueAt`, at: e.dueAt })),
    ],
    Date.now(),
  );
  const members = await deps.db.partnershipMember.findMany({ where: { partnershipId: id }, include: { person: true } });
  const memberOf = (owner: PledgeOwner, path: string) => {
    const m = members.find((x) => ('id' in owner ? x.personId === owner.id : x.person.email === owner.email));
    if (!m)
      throw new ValidationError(`${'id' in owner ? owner.id : owner.email} is not a member of the partnership`, [
        { path, message: 'is not a member of this partnership' },
      ]);
    return m;
  };
  const commitments = input.commitments.map(({ owner, side, ...c }, i) => {
    const m = memberOf(owner, `commitments.${i}.${'id' in owner ? 'ownerId' : 'ownerEmail'}`);
    return { ...c, id: randomUUID(), ownerId: m.personId, side: side ?? m.side, dueAt: Date.parse(c.dueAt) };
  });
  const evidenceRequests = input.evidenceRequests.map(({ owner, ...e }, i) => ({
    ...e,
    id: randomUUID(),
    ownerId: memberOf(owner, `evidenceRequests.${i}.${'id' in owner ? 'ownerId' : 'ownerEmail'}`).personId,
    dueAt: Date.parse(e.dueAt),
  }));
  // The measures are checked before the outcome is recorded and written after it (the review is then held):
  // they are not the workflow's to carry.
  const { measures, ...outcome } = input;
  await checkMeasureValues(deps.db, id, measures, 'measures');
  const status = await askPartnership(deps, id, (h) =>
    h.executeUpdate(recordOutcomeUpdate, { args: [{ ...outcome, reviewId, commitments, evidenceRequests, actor }] }),
  );
  if (measures.length) await recordMeasureValues(deps, p, id, reviewId, { values: measures });
  return { status, created: { commitments: commitments.map((c) => c.id), evidenceRequests: evidenceRequests.map((e) => e.id) } };
}

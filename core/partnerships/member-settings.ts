import { NotFoundError } from '../../lib/errors.js';
import { type Deps, partnershipFor } from '../partnership-workflow.js';
import type { Principal } from '../people/principal.js';
import { assertManages } from '../people/rights.js';

/** A member's delivery setting for the partnership's messages: their own, or changed by whoever manages it. */
export async function setMemberNotifications(deps: Deps, p: Principal, id: string, personId: string, notifications: 'all' | 'essential') {
  const partnership = await partnershipFor(deps, p, id);
  if (!(p.kind === 'person' && p.id === personId)) await assertManages(deps.db, p, partnership, "change a member's notifications");
  const { count } = await deps.db.partnershipMember.updateMany({ where: { partnershipId: id, personId }, data: { notifications } });
  if (count === 0) throw new NotFoundError(`Person ${personId} is not a member of partnership ${id}`);
  return deps.db.partnershipMember.findUniqueOrThrow({
    where: { partnershipId_personId: { partnershipId: id, personId } },
    include: { person: true },
  });
}

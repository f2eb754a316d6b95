import type { Db } from '../../lib/db/client.js';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors.js';
import type { Principal } from './principal.js';
import { partnershipScope } from './rights.js';

export type Partnership = Awaited<ReturnType<typeof loadPartnership>>;

/** The partnership with its members, if the caller may see it; 404 otherwise. */
export async function loadPartnership(db: Db, caller: Principal, id: string) {
  const partnership = await db.partnership.findFirst({
    where: { id, ...partnershipScope(caller) },
    include: { members: { include: { person: true } } },
  });
  if (!partnership) throw new NotFoundError(`Partnership ${id} does not exist`);
  return partnership;
}

/** A partnership the caller may see that can still take new commitments and evidence requests. */
export async function openPartnership(db: Db, caller: Principal, id: string): Promise<Partnership> {
  const partnership = await loadPartnership(db, caller, id);
  if (partnership.status === 'completed' || partnership.status === 'ended_early') {
    throw new ConflictError('The partnership has ended; it takes no new commitments or evidence requests');
  }
  return partnership;
}

/** The member with that email; `path` names the field for the error. */
export function memberByEmail(partnership: Partnership, email: string, path: string) {
  const member = partnership.members.find((m) => m.person.email === email);
  if (!member)
    throw new ValidationError(`${email} is not a member of the partnership`, [{ path, message: 'is not a member of this partnership' }]);
  return member;
}

import type { WorkflowHandle } from '@temporalio/client';
import { NotFoundError } from '../lib/errors.js';
import { sendUpdate } from '../lib/temporal/updates.js';
import { partnershipWorkflowId } from '../workflows/ids.js';
import type { PartnershipStatus } from '../workflows/partnerships/messages.js';
import type { CoreDeps } from './deps.js';
import type { Principal } from './people/principal.js';
import { partnershipScope } from './people/rights.js';

/**
 * What the commands on a partnership (core/partnerships/lifecycle.ts) and on its reviews
 * (core/reviews/commands.ts) share: the partnership as the principal may see it, with what the
 * rights need, and an update to its workflow, which validates the change (a refused one is a 409
 * and changes nothing) and records it.
 */

export type Deps = Pick<CoreDeps, 'db' | 'temporal'>;

export async function partnershipFor(deps: Deps, p: Principal, id: string) {
  const partnership = await deps.db.partnership.findFirst({
    where: { AND: [{ id }, partnershipScope(p)] },
    select: { id: true, districtId: true, partnerId: true, cohortId: true, timeZone: true, blackouts: true, status: true },
  });
  if (!partnership) throw new NotFoundError(`Partnership ${id} does not exist`);
  return partnership;
}

export const askPartnership = (deps: Deps, id: string, update: (h: WorkflowHandle) => Promise<PartnershipStatus>) =>
  sendUpdate(deps.temporal, partnershipWorkflowId(id), 'The partnership has ended; its plan can no longer change', update);

import { defineQuery, defineUpdate, setHandler } from '@temporalio/workflow';
import type { EvidenceItemInput } from '../activities/index.js';
import { type DeadlineStatus, extendDeadlineUpdate, rejectTransition, runDeadline } from './deadline.js';
import { activities } from './partnership-shared.js';

export type EvidenceStatus = DeadlineStatus<'submitted' | 'waived'>;

export const evidenceStatusQuery = defineQuery<EvidenceStatus>('status');
export const submitEvidenceUpdate = defineUpdate<EvidenceStatus, [EvidenceItemInput]>('submit');
export const waiveEvidenceUpdate = defineUpdate<EvidenceStatus, [{ reason: string }]>('waive');
export const extendEvidenceUpdate = extendDeadlineUpdate<EvidenceStatus>();

/**
 * One per evidence request (`evidence:<id>`), on the same deadline shape as a commitment: it ends
 * when the first item is submitted or the request is waived with a reason.
 */
export async function evidenceRequestWorkflow({ requestId }: { requestId: string }): Promise<void> {
  await runDeadline({
    what: 'evidence request',
    closedStatuses: ['submitted', 'waived'],
    plan: () => activities.planEvidenceDeadline(requestId),
    notify: (stage, dueAt) => activities.notifyEvidenceRequest({ requestId, stage, dueAt }),
    extend: (dueAt, reason) => activities.extendEvidenceRequest({ requestId, dueAt, reason }),
    extendUpdate: extendEvidenceUpdate,
    register: ({ status, ensureOpen }) => {
      setHandler(evidenceStatusQuery, () => status);
      setHandler(
        submitEvidenceUpdate,
        async (item) => {
          await activities.submitEvidence({ requestId, item, at: Date.now() });
          status.status = 'submitted';
          return status;
        },
        { validator: (_item) => ensureOpen() },
      );
      setHandler(
        waiveEvidenceUpdate,
        async ({ reason }) => {
          await activities.waiveEvidenceRequest({ requestId, reason, at: Date.now() });
          status.status = 'waived';
          return status;
        },
        {
          validator: ({ reason }) => {
            ensureOpen();
            if (!reason?.trim()) rejectTransition('waiving an evidence request needs a reason');
          },
        },
      );
    },
  });
}

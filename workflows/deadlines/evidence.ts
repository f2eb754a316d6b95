import { setHandler } from '@temporalio/workflow';
import { activities, steps } from '../activities.js';
import { rejectTransition, runDeadline } from './deadline.js';
import { evidenceStatusQuery, extendEvidenceUpdate, submitEvidenceUpdate, waiveEvidenceUpdate } from './messages.js';

/**
 * One per evidence request (`evidence:<id>`), on the same deadline shape as a commitment: it ends
 * when the first item is submitted or the request is waived with a reason.
 */
export async function evidenceRequestWorkflow({ requestId }: { requestId: string }): Promise<void> {
  await runDeadline({
    what: 'evidence request',
    closedStatuses: ['submitted', 'waived'],
    plan: () => steps().planEvidenceDeadline(requestId),
    notify: (stage, dueAt) => steps().notifyEvidenceRequest({ requestId, stage, dueAt }),
    extend: (dueAt, reason, actor) => activities.extendEvidenceRequest({ requestId, dueAt, reason, actor }),
    extendUpdate: extendEvidenceUpdate,
    register: ({ status, ensureOpen, close, closing, serially }) => {
      setHandler(evidenceStatusQuery, () => status);
      setHandler(
        submitEvidenceUpdate,
        (item) =>
          // Two items sent together: the first submits the request, the second is kept as further evidence.
          closing() === 'submitted'
            ? serially(async () => {
                await activities.addEvidenceItem({ requestId, item, at: Date.now() });
                return status;
              })
            : close('submitted', () => activities.submitEvidence({ requestId, item, at: Date.now() })),
        {
          validator: (_item) => {
            if (closing() !== 'submitted') ensureOpen();
          },
        },
      );
      setHandler(
        waiveEvidenceUpdate,
        ({ reason, actor }) => close('waived', () => activities.waiveEvidenceRequest({ requestId, reason, at: Date.now(), actor })),
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

import type { DeadlineStage } from '../lib/schedule/deadlines.js';
import type { DeadlinePlan } from '../workflows/deadline.js';
import type { EvidenceKind } from '../workflows/partnership-shared.js';
import { createDeadlineOperations } from './deadlines.js';
import type { ActivityDeps } from './deps.js';
import { recordEvent } from './events.js';

/** One piece of evidence; the API gives it its id, so a retried submission stores it once. */
export interface EvidenceItemInput {
  itemId: string;
  personId: string;
  kind: EvidenceKind;
  link?: string;
  text?: string;
}

/** An evidence request's deadline, and how it ends: submitted with a first item, or waived. */
export function createEvidenceActivities(deps: ActivityDeps) {
  const { db } = deps;
  const deadline = createDeadlineOperations(deps);

  async function close(requestId: string, status: 'submitted' | 'waived', at: number, note: string | null, item?: EvidenceItemInput) {
    await db.$transaction(async (tx) => {
      const r = await tx.evidenceRequest.findUniqueOrThrow({ where: { id: requestId } });
      if (item) {
        await tx.evidenceItem.createMany({
          data: [
            {
              id: item.itemId,
              requestId,
              kind: item.kind,
              link: item.link ?? null,
              text: item.text ?? null,
              submittedById: item.personId,
              submittedAt: new Date(at),
            },
          ],
          skipDuplicates: true,
        });
      }
      await tx.evidenceRequest.updateMany({
        where: { id: requestId, status: { in: ['open', 'overdue'] } },
        data: { status, closedAt: new Date(at), closeNote: note },
      });
      await recordEvent(tx, r.partnershipId, `evidence:${requestId}:closed`, `evidence.${status}`, {
        requestId,
        ...(item && { itemId: item.itemId, kind: item.kind }),
        ...(note && { note }),
      });
    });
  }

  return {
    planEvidenceDeadline: (requestId: string): Promise<DeadlinePlan> => deadline.plan('evidence', requestId),

    notifyEvidenceRequest: (input: { requestId: string; stage: DeadlineStage; dueAt: number }) =>
      deadline.notify('evidence', { id: input.requestId, stage: input.stage, dueAt: input.dueAt }),

    extendEvidenceRequest: (input: { requestId: string; dueAt: number; reason: string }) =>
      deadline.extend('evidence', { id: input.requestId, dueAt: input.dueAt, reason: input.reason }),

    submitEvidence: (input: { requestId: string; item: EvidenceItemInput; at: number }) =>
      close(input.requestId, 'submitted', input.at, null, input.item),

    waiveEvidenceRequest: (input: { requestId: string; reason: string; at: number }) =>
      close(input.requestId, 'waived', input.at, input.reason),
  };
}

import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { sendUpdate } from '../../lib/temporal/updates.js';
import { parseOrThrow } from '../../lib/validation.js';
import type { Actor } from '../../workflows/actor.js';
import {
  completeCommitmentUpdate,
  dropCommitmentUpdate,
  type EvidenceItemInput,
  extendCommitmentUpdate,
  extendEvidenceUpdate,
  submitEvidenceUpdate,
  waiveEvidenceUpdate,
} from '../../workflows/deadlines/messages.js';
import { commitmentWorkflowId, evidenceWorkflowId } from '../../workflows/ids.js';
import type { CoreDeps } from '../deps.js';
import type { Principal } from '../people/principal.js';
import { actorForDeadline, type DeadlineAction, partnershipScope } from '../people/rights.js';
import { storeEvidenceFile, type UploadedFile } from './files.js';
import { completeCommitmentBody, evidenceItemFields, extendDeadlineBody, reasonBody } from './schemas.js';

/**
 * What people do to commitments and evidence requests: the one door for the API and the pages alike.
 * Each command reads its input with its schema (./schemas.ts: lengths, dates within the horizon, no
 * control characters), whoever calls it; the rights (core/people/rights.ts) say who acts, for whom;
 * the deadline's workflow validates the change (a refused one is a 409) and records it with its actor.
 */

export type Deps = Pick<CoreDeps, 'db' | 'temporal'>;

const partnershipRef = { select: { id: true, districtId: true, partnerId: true, cohortId: true } } as const;

async function commitmentFor(deps: Deps, p: Principal, id: string) {
  const c = await deps.db.commitment.findFirst({
    where: { id, partnership: partnershipScope(p) },
    include: { partnership: partnershipRef },
  });
  if (!c) throw new NotFoundError(`Commitment ${id} does not exist`);
  return c;
}

export async function requestFor(deps: Deps, p: Principal, id: string) {
  const r = await deps.db.evidenceRequest.findFirst({
    where: { id, partnership: partnershipScope(p) },
    include: { partnership: partnershipRef },
  });
  if (!r) throw new NotFoundError(`Evidence request ${id} does not exist`);
  return r;
}

const onCommitment = (deps: Deps, id: string, update: (h: WorkflowHandle) => Promise<unknown>) =>
  sendUpdate(deps.temporal, commitmentWorkflowId(id), 'The commitment is already closed', update);
const onRequest = (deps: Deps, id: string, update: (h: WorkflowHandle) => Promise<unknown>) =>
  sendUpdate(deps.temporal, evidenceWorkflowId(id), 'The evidence request is already closed', update);

/** Who acts, for whom: `onBehalfOf` is for keys naming a person, and for leads acting for the owner. */
interface ActingAs {
  onBehalfOf?: string | undefined;
}

async function actor(
  deps: Deps,
  p: Principal,
  d: { ownerId: string; partnership: Parameters<typeof actorForDeadline>[2]['partnership'] },
  action: DeadlineAction,
  as: ActingAs,
): Promise<Actor> {
  return (await actorForDeadline(deps.db, p, d, action, as.onBehalfOf)).actor;
}

/** A phase of an inquiry cycle is recorded on its cycle, which then closes its commitment. */
function assertNotAPhase(c: { inquiryPhaseId: string | null; partnershipId: string }) {
  if (c.inquiryPhaseId) {
    throw new ConflictError(
      `This commitment is a phase of an inquiry cycle: record the phase on its cycle (POST /partnerships/${c.partnershipId}/inquiry-cycles/{cycleId}/phases/{phase})`,
    );
  }
}

export async function completeCommitment(deps: Deps, p: Principal, id: string, input: z.input<typeof completeCommitmentBody>) {
  const request = parseOrThrow(completeCommitmentBody, input, 'request');
  const c = await commitmentFor(deps, p, id);
  assertNotAPhase(c);
  const by = await actor(deps, p, c, 'complete', request);
  await onCommitment(deps, id, (h) => h.executeUpdate(completeCommitmentUpdate, { args: [{ note: request.note, actor: by }] }));
  return deps.db.commitment.findUniqueOrThrow({ where: { id } });
}

export async function extendCommitment(deps: Deps, p: Principal, id: string, input: z.input<typeof extendDeadlineBody>) {
  const request = parseOrThrow(extendDeadlineBody, input, 'request');
  const c = await commitmentFor(deps, p, id);
  const by = await actor(deps, p, c, 'extend', request);
  await onCommitment(deps, id, (h) =>
    h.executeUpdate(extendCommitmentUpdate, { args: [{ dueAt: Date.parse(request.dueAt), reason: request.reason, actor: by }] }),
  );
  return deps.db.commitment.findUniqueOrThrow({ where: { id } });
}

export async function dropCommitment(deps: Deps, p: Principal, id: string, input: z.input<typeof reasonBody>) {
  const request = parseOrThrow(reasonBody, input, 'request');
  const c = await commitmentFor(deps, p, id);
  assertNotAPhase(c);
  const by = await actor(deps, p, c, 'drop', request);
  await onCommitment(deps, id, (h) => h.executeUpdate(dropCommitmentUpdate, { args: [{ reason: request.reason, actor: by }] }));
  return deps.db.commitment.findUniqueOrThrow({ where: { id } });
}

export async function extendEvidenceRequest(deps: Deps, p: Principal, id: string, input: z.input<typeof extendDeadlineBody>) {
  const request = parseOrThrow(extendDeadlineBody, input, 'request');
  const r = await requestFor(deps, p, id);
  const by = await actor(deps, p, r, 'extend', request);
  await onRequest(deps, id, (h) =>
    h.executeUpdate(extendEvidenceUpdate, { args: [{ dueAt: Date.parse(request.dueAt), reason: request.reason, actor: by }] }),
  );
  return deps.db.evidenceRequest.findUniqueOrThrow({ where: { id } });
}

export async function waiveEvidenceRequest(deps: Deps, p: Principal, id: string, input: z.input<typeof reasonBody>) {
  const request = parseOrThrow(reasonBody, input, 'request');
  const r = await requestFor(deps, p, id);
  const by = await actor(deps, p, r, 'waive', request);
  await onRequest(deps, id, (h) => h.executeUpdate(waiveEvidenceUpdate, { args: [{ reason: request.reason, actor: by }] }));
  return deps.db.evidenceRequest.findUniqueOrThrow({ where: { id } });
}

export type EvidenceInput = z.input<typeof evidenceItemFields> & { file?: UploadedFile | undefined };

/**
 * One item of evidence: a link, a text or a file (or several of them). The first item submits the
 * request (through its workflow); later ones are kept as further sources of evidence.
 */
export async function submitEvidence(deps: Deps, p: Principal, id: string, raw: EvidenceInput) {
  const { file, ...fields } = raw;
  const input = { ...parseOrThrow(evidenceItemFields, fields, 'evidence'), file };
  if (!input.link && !input.text && !input.file) {
    throw new ValidationError('Give a link, a text or a file', [{ path: 'link', message: 'give a link, a text or a file' }]);
  }
  const r = await requestFor(deps, p, id);
  const { actor: by, personId } = await actorForDeadline(deps.db, p, r, 'submit evidence for', input.onBehalfOf);
  if (r.status === 'waived') throw new ConflictError('The evidence request was waived; it takes no evidence');
  // The file is stored first: an item never points at a file that is not there.
  const fileId = input.file ? await storeEvidenceFile(deps.db, personId, input.file) : undefined;
  const item: EvidenceItemInput = {
    itemId: randomUUID(),
    personId,
    kind: input.kind,
    link: input.link,
    text: input.text,
    fileId,
    actor: by,
  };
  try {
    if (r.status === 'submitted') {
      // Its deadline is over: a further source of evidence needs no workflow.
      await deps.db.evidenceItem.create({
        data: {
          id: item.itemId,
          requestId: id,
          kind: item.kind,
          link: item.link ?? null,
          text: item.text ?? null,
          fileId: fileId ?? null,
          submittedById: personId,
        },
      });
    } else {
      await onRequest(deps, id, (h) => h.executeUpdate(submitEvidenceUpdate, { args: [item] }));
    }
  } catch (e) {
    if (fileId) await deps.db.evidenceFile.deleteMany({ where: { id: fileId, item: null } });
    throw e;
  }
  return deps.db.evidenceItem.findUniqueOrThrow({
    where: { id: item.itemId },
    include: { file: { select: { id: true, filename: true, contentType: true, size: true } } },
  });
}

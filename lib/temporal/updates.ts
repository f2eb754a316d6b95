import { ApplicationFailure, type Client, type WorkflowHandle, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ConflictError, errorChain, ValidationError } from '../errors.js';

/**
 * Sends an update to a workflow and turns its refusals into ConflictErrors (HTTP 409): a validator's
 * rejection carries its reason; a closed workflow means the thing can no longer change.
 */
export async function sendUpdate<T>(
  temporal: Client,
  workflowId: string,
  closedMessage: string,
  send: (h: WorkflowHandle) => Promise<T>,
): Promise<T> {
  try {
    return await send(temporal.workflow.getHandle(workflowId));
  } catch (e) {
    if (e instanceof WorkflowUpdateFailedError) {
      // The reason is the innermost application failure: a validator's refusal, or an activity's.
      const reason = errorChain(e.cause)
        .filter((x): x is ApplicationFailure => x instanceof ApplicationFailure)
        .at(-1);
      if (reason?.type === 'InvalidData') throw new ValidationError(reason.message);
      throw new ConflictError(reason?.message ?? e.cause?.message ?? 'The change was rejected');
    }
    if (e instanceof WorkflowNotFoundError) throw new ConflictError(closedMessage);
    throw e;
  }
}

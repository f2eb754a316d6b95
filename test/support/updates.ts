import { WorkflowUpdateFailedError } from '@temporalio/client';
import { expect } from 'vitest';

/** Expects a workflow update to be refused by its validator, with a reason matching `message`. */
export async function expectRejected(update: Promise<unknown>, message: RegExp): Promise<void> {
  const error = await update.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  expect(String((error as WorkflowUpdateFailedError).cause?.message)).toMatch(message);
}

import { DependencyUnavailableError } from '../errors.js';
import type { Logger } from '../logger.js';

/** Starts a deadline workflow inside the transaction that creates its row: if Temporal refuses, the row is rolled back. */
export async function startOrRollBack(logger: Logger, what: string, start: () => Promise<unknown>) {
  try {
    await start();
  } catch (e) {
    logger.error({ err: e }, `could not start the ${what} workflow`);
    throw new DependencyUnavailableError('The workflow engine is unavailable; nothing was saved, try again');
  }
}

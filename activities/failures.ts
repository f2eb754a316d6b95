import { ApplicationFailure, Context } from '@temporalio/activity';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { Prisma } from '../generated/prisma/client.js';
import type { Db } from '../lib/db/client.js';
import { describeError, errorChain } from '../lib/errors.js';

/**
 * Failures by their kind. Data the database refuses (a NUL byte, a value out of range, a missing
 * reference) will be refused again: retrying it forever wedges whatever waits on it (an update's
 * caller, the updates after it). It fails for good instead (`InvalidData`), and reaches the caller.
 * A conflict between writers, a connection lost, a server busy: those are retried.
 */
export function isRefusedData(e: unknown): boolean {
  return errorChain(e).some((x) => {
    if (x instanceof Prisma.PrismaClientValidationError) return true;
    const code = (x as { originalCode?: unknown })?.originalCode;
    // SQLSTATE class 22 (data exception) and 23 (integrity), but for unique violations: a retry of an
    // idempotent step finds the row the first attempt wrote.
    return typeof code === 'string' && (code.startsWith('22') || (code.startsWith('23') && code !== '23505'));
  });
}

/** From this attempt on, a failing activity is listed as stuck work. */
export const STUCK_AFTER_ATTEMPTS = 3;

/**
 * Every activity's failures: refused data fails for good; an activity that keeps failing is listed
 * (stuck_activity) while it is retried, and taken off the list once it succeeds or gives up.
 */
export function failureInterceptors(db: Db): ActivityInterceptorsFactory {
  return () => ({
    inbound: {
      async execute(input, next) {
        const info = Context.current().info;
        // Activities started by a workflow, as all of Tandem's are.
        const run = info.workflowExecution ?? { workflowId: '', runId: '' };
        const key = { workflowId: run.workflowId, activityId: info.activityId };
        try {
          const result = await next(input);
          if (info.attempt >= STUCK_AFTER_ATTEMPTS) await db.stuckActivity.deleteMany({ where: key }).catch(() => undefined);
          return result;
        } catch (e) {
          const refused = isRefusedData(e);
          const final = refused || (e instanceof ApplicationFailure && e.nonRetryable);
          if (final) {
            if (info.attempt >= STUCK_AFTER_ATTEMPTS) await db.stuckActivity.deleteMany({ where: key }).catch(() => undefined);
          } else if (info.attempt >= STUCK_AFTER_ATTEMPTS) {
            const lastError = describeError(e).slice(0, 2000);
            // Listing it must not make it fail otherwise: a database that is down is why it fails.
            await db.stuckActivity
              .upsert({
                where: { workflowId_activityId: key },
                create: {
                  ...key,
                  runId: run.runId,
                  activityType: info.activityType,
                  local: info.isLocal,
                  attempt: info.attempt,
                  lastError,
                },
                update: { runId: run.runId, attempt: info.attempt, lastError, lastFailedAt: new Date() },
              })
              .catch(() => undefined);
          }
          if (refused) throw ApplicationFailure.nonRetryable(`The database refused the data: ${describeError(e)}`, 'InvalidData');
          throw e;
        }
      },
    },
  });
}

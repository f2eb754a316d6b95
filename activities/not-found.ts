import { ApplicationFailure, Context } from '@temporalio/activity';

/**
 * Attempts before a missing row fails its workflow. A request writes a partnership, a commitment or an
 * evidence request and starts its workflow inside the same transaction (if Temporal refuses, nothing is
 * written), so the workflow's first activity can run before that transaction commits; a cohort's
 * import holds one transaction for all its rows. With the activities' backoff (1 s, doubling), seven
 * attempts wait about two minutes for the commit.
 */
const ATTEMPTS_BEFORE_NOT_FOUND = 7;

/** The failure for a row an activity needs and cannot find: retried while its transaction may still commit. */
export function notFound(what: string): ApplicationFailure {
  return Context.current().info.attempt < ATTEMPTS_BEFORE_NOT_FOUND
    ? ApplicationFailure.retryable(`${what} does not exist yet`, 'NotYetCommitted')
    : ApplicationFailure.nonRetryable(`${what} does not exist`, 'NotFound');
}

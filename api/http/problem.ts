import type { ErrorRequestHandler, RequestHandler } from 'express';
import { isDatabaseUnavailable } from '../../lib/db/client.js';
import { describeError, type FieldIssue, TandemError, ValidationError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { isTemporalUnavailable } from '../../lib/temporal/connection.js';

/** RFC 9457 problem details; the only shape errors leave the API in. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldIssue[];
}

const PROBLEM_BASE = 'https://tandem.dev/problems/';

export const notFoundRoute: RequestHandler = (req, res) => {
  res
    .status(404)
    .type('application/problem+json')
    .json({ type: `${PROBLEM_BASE}not-found`, title: 'Not found', status: 404, detail: `No route for ${req.method} ${req.path}` });
};

export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let problem: Problem;
    if (err instanceof TandemError) {
      problem = { type: PROBLEM_BASE + err.type, title: err.title, status: err.status, detail: err.message };
      if (err instanceof ValidationError && err.issues.length) problem.errors = err.issues;
    } else if (err?.type === 'entity.parse.failed') {
      problem = {
        type: `${PROBLEM_BASE}malformed-json`,
        title: 'Malformed JSON',
        status: 400,
        detail: 'The request body is not valid JSON',
      };
    } else if (err?.type === 'entity.too.large') {
      problem = {
        type: `${PROBLEM_BASE}payload-too-large`,
        title: 'Payload too large',
        status: 413,
        detail: 'The request body is too large',
      };
    } else if (isDatabaseUnavailable(err) || isTemporalUnavailable(err)) {
      const what = isDatabaseUnavailable(err) ? 'The database' : 'The workflow engine (Temporal)';
      logger.warn({ err: describeError(err), method: req.method, path: req.path }, 'a dependency is unreachable');
      problem = {
        type: `${PROBLEM_BASE}dependency-unavailable`,
        title: 'A dependency is unavailable',
        status: 503,
        detail: `${what} cannot be reached; nothing was changed. Try again in a moment.`,
      };
    } else {
      logger.error({ err, method: req.method, path: req.path }, 'unhandled error');
      problem = {
        type: `${PROBLEM_BASE}internal`,
        title: 'Internal error',
        status: 500,
        detail: 'Something went wrong on our side; it has been logged',
      };
    }
    problem.instance = req.originalUrl;
    if (problem.status === 503) res.set('Retry-After', '5');
    res.status(problem.status).type('application/problem+json').json(problem);
  };
}

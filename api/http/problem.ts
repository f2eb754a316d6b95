import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
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

/**
 * A person's browser gets pages, an integration problem+json: a request that asks for HTML by name
 * (a browser's navigation does) and carries no API key is a person's.
 */
export const wantsPage = (req: Request) => !req.get('authorization') && req.accepts(['json', 'html']) === 'html';

/** How errors are shown to a person: a page of the web app's (set by the app that mounts both). */
export type PageRenderer = (req: Request, res: Response, problem: Problem) => void;

export function notFoundRoute(page?: PageRenderer): RequestHandler {
  return (req, res) => {
    const problem = { type: `${PROBLEM_BASE}not-found`, title: 'Not found', status: 404, detail: `No route for ${req.method} ${req.path}` };
    if (page && wantsPage(req))
      return page(req, res, { ...problem, detail: 'There is no page at this address. Check the link, or go back to your work.' });
    res.status(404).type('application/problem+json').json(problem);
  };
}

/** RFC 9457 problem details for any error, as the API answers it (and a page shows it). */
export function toProblem(err: unknown, req: Request, logger: Logger): Problem {
  let problem: Problem;
  const e = err as { type?: string } | null;
  if (err instanceof TandemError) {
    problem = { type: PROBLEM_BASE + err.type, title: err.title, status: err.status, detail: err.message };
    if (err instanceof ValidationError && err.issues.length) problem.errors = err.issues;
  } else if (e?.type === 'entity.parse.failed') {
    problem = { type: `${PROBLEM_BASE}malformed-json`, title: 'Malformed JSON', status: 400, detail: 'The request body is not valid JSON' };
  } else if (e?.type === 'entity.too.large') {
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
  return problem;
}

export function problemHandler(logger: Logger, page?: PageRenderer): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const problem = toProblem(err, req, logger);
    if (problem.status === 503) res.set('Retry-After', '5');
    if (page && wantsPage(req)) return page(req, res, problem);
    res.status(problem.status).type('application/problem+json').json(problem);
  };
}

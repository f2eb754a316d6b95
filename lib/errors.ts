/**
 * The one error hierarchy. Each error knows the HTTP status and problem type it maps to
 * (api/problem.ts renders them as RFC 9457 problem+json); anything else is a 500 with no details.
 */
export interface FieldIssue {
  path: string;
  message: string;
}

export abstract class TandemError extends Error {
  abstract readonly status: number;
  abstract readonly type: string;
  abstract readonly title: string;
}

export class ValidationError extends TandemError {
  readonly status = 400;
  readonly type = 'validation-error';
  readonly title = 'Invalid request';
  constructor(
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
  }
}

export class UnauthorizedError extends TandemError {
  readonly status = 401;
  readonly type = 'unauthorized';
  readonly title = 'Authentication required';
}

export class ForbiddenError extends TandemError {
  readonly status = 403;
  readonly type = 'forbidden';
  readonly title = 'Not allowed';
}

export class NotFoundError extends TandemError {
  readonly status = 404;
  readonly type = 'not-found';
  readonly title = 'Not found';
}

export class ConflictError extends TandemError {
  readonly status = 409;
  readonly type = 'conflict';
  readonly title = 'Conflict';
}

/** A request that is well-formed but cannot be carried out as asked (e.g. an Idempotency-Key reused for another request). */
export class UnprocessableError extends TandemError {
  readonly status = 422;
  readonly type = 'unprocessable';
  readonly title = 'Unprocessable request';
}

export class DependencyUnavailableError extends TandemError {
  readonly status = 503;
  readonly type = 'dependency-unavailable';
  readonly title = 'A dependency is unavailable';
}

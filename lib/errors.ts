/**
 * The one error hierarchy. Each error knows the HTTP status and problem type it maps to
 * (api/http/problem.ts renders them as RFC 9457 problem+json); anything else is a 500 with no details.
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

/** A problem with no details of its own beyond its message: its class names the status, type and title. */
function problem(status: number, type: string, title: string) {
  return class extends TandemError {
    readonly status = status;
    readonly type = type;
    readonly title = title;
  };
}

export class UnauthorizedError extends problem(401, 'unauthorized', 'Authentication required') {}
export class ForbiddenError extends problem(403, 'forbidden', 'Not allowed') {}
export class NotFoundError extends problem(404, 'not-found', 'Not found') {}
export class ConflictError extends problem(409, 'conflict', 'Conflict') {}
/** A request that is well-formed but cannot be carried out as asked (e.g. an Idempotency-Key reused for another request). */
export class UnprocessableError extends problem(422, 'unprocessable', 'Unprocessable request') {}
/** What the API's port answers while the rest of the system is still starting. */
export class StartingError extends problem(503, 'starting', 'Tandem is starting') {}
export class DependencyUnavailableError extends problem(503, 'dependency-unavailable', 'A dependency is unavailable') {}

/** The error and its causes, outermost first (`cause`, driver and gRPC wrappers, AggregateError members). */
export function errorChain(e: unknown): unknown[] {
  const chain: unknown[] = [];
  const queue: unknown[] = [e];
  while (queue.length > 0 && chain.length < 20) {
    const next = queue.shift();
    if (next === null || next === undefined || chain.includes(next)) continue;
    chain.push(next);
    if (typeof next !== 'object') continue;
    const o = next as { cause?: unknown; originalError?: unknown; errors?: unknown; meta?: { driverAdapterError?: unknown } };
    queue.push(o.cause, o.originalError, o.meta?.driverAdapterError);
    if (Array.isArray(o.errors)) queue.push(...o.errors);
  }
  return chain;
}

/**
 * A one-line account of an error for people (logs, /health): the first non-empty message down its
 * chain, so that a connection refused on both addresses of localhost (an AggregateError with no
 * message of its own) still says "connect ECONNREFUSED 127.0.0.1:5433".
 */
export function describeError(e: unknown): string {
  for (const x of errorChain(e)) {
    const { message, code } = x as { message?: unknown; code?: unknown };
    // Prisma's messages open with an "Invalid `prisma.x()` invocation:" line; the cause follows it.
    const line =
      typeof message === 'string' ? message.split('\n').find((l) => l.trim() && !/^Invalid `.*` invocation/.test(l.trim())) : undefined;
    if (line) return line.trim();
    if (typeof code === 'string' && code) return code;
  }
  return String(e) || 'unknown error';
}

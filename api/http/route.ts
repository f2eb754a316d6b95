import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { RequestDeps } from '../../core/deps.js';
import type { KeyPrincipal } from '../../core/people/principal.js';
import { ApiRole } from '../../lib/auth/api-keys.js';
import { ForbiddenError, ValidationError } from '../../lib/errors.js';
import { parseOrThrow } from '../../lib/validation.js';
import { authenticate } from './auth.js';
import { withIdempotency } from './idempotency.js';
import { type Reply, send } from './reply.js';

/** What every route handler may use. */
export interface RouteDeps extends RequestDeps {
  /** The domains the installation's own identity provider (OIDC_DOMAINS) vouches for: no organization's may claim them. */
  identityDomains: string[];
}

/**
 * Who may call a route, before tenancy narrows what it sees:
 * - public: no key (calendar feeds carry their own secret);
 * - member: any key; reads and the day-to-day work of a partnership (outcomes, commitments, evidence, reflections);
 * - manager: admin, coordinator, district staff; changes to a partnership's plan and membership;
 * - admin: organizations, cohorts and API keys.
 */
export type Access = 'public' | 'member' | 'manager' | 'admin';

const ACCESS_ROLES: Record<Exclude<Access, 'public'>, readonly KeyPrincipal['role'][]> = {
  member: Object.values(ApiRole),
  manager: ['admin', 'coordinator', 'district'],
  admin: ['admin'],
};

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  contentType?: string;
}

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** The authenticated caller; public routes have none and must not read it. */
  caller: KeyPrincipal;
  req: Request;
  deps: RouteDeps;
}

type Method = 'get' | 'post' | 'put' | 'patch';

/** The names of an Express path's parameters: '/partnerships/:id/reviews/:reviewId' → 'id' | 'reviewId'. */
type ParamNames<Path extends string> = Path extends `${string}:${infer Name}/${infer Rest}`
  ? Name | ParamNames<`/${Rest}`>
  : Path extends `${string}:${infer Name}`
    ? Name
    : never;

/** What a route's path parameters are unless it says otherwise: each a UUID. */
type UuidParams<At extends string> = z.ZodType<{ [K in ParamNames<At>]: string }>;

export interface RouteDef<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  operationId: string;
  summary: string;
  description?: string;
  /** The section of /openapi.json; by default the one its file's routes share (tagged). */
  tag?: string;
  access: Access;
  /** The path's parameters; by default each one a UUID. */
  params?: P;
  query?: Q;
  body?: B;
  /** The body may be left out altogether (it has only optional fields). */
  bodyOptional?: boolean;
  /** Error statuses the handler itself can answer, beyond those the framework adds (400, 401, 403, 409/422 for Idempotency-Key). */
  errors?: number[];
  responses: Record<number, ResponseSpec>;
  /** Its reply's status is the one success status `responses` declares, unless the reply names another. */
  handle(ctx: RouteContext<z.output<P>, z.output<Q>, z.output<B>>): Promise<Reply>;
}

// biome-ignore lint/suspicious/noExplicitAny: the registry holds routes of every shape.
export type DeclaredRoute = RouteDef<any, any, any> & {
  method: Method;
  /** Express-style path, e.g. /partnerships/:id. */
  path: string;
};

/** A route as the API mounts it and /openapi.json lists it. */
export type AnyRoute = DeclaredRoute & { tag: string };

/**
 * Declares a route, `route('POST /partnerships/:id/goals', { ... })`: the method and path as the
 * README and the errors name them. The schemas validate the request and describe it in
 * /openapi.json; path parameters are UUIDs unless `params` says otherwise.
 */
export function route<
  At extends `${Uppercase<Method>} /${string}`,
  P extends z.ZodType = UuidParams<At>,
  Q extends z.ZodType = z.ZodUndefined,
  B extends z.ZodType = z.ZodUndefined,
>(at: At, def: RouteDef<P, Q, B>): DeclaredRoute {
  const [method, path] = at.split(' ') as [Uppercase<Method>, string];
  const names = [...path.matchAll(/:(\w+)/g)].map((m) => m[1] as string);
  const params = def.params ?? (names.length ? z.object(Object.fromEntries(names.map((n) => [n, z.uuid()]))) : undefined);
  return { ...def, method: method.toLowerCase() as Method, path, ...(params ? { params } : {}) };
}

/** A file's routes, each in the section of /openapi.json named `tag` unless it names its own. */
export function tagged(tag: string, routes: readonly DeclaredRoute[]): AnyRoute[] {
  return routes.map((r) => ({ ...r, tag: r.tag ?? tag }));
}

const anonymous = new Proxy({} as KeyPrincipal, {
  get() {
    throw new Error('a public route has no caller');
  },
});

/** Mounts the routes: authentication, role check, validation, Idempotency-Key, then the handler. */
export function mountRoutes(routes: readonly AnyRoute[], deps: RouteDeps) {
  const router = Router();
  for (const r of routes) {
    const success = successStatus(r);
    router[r.method](r.path, async (req: Request, res: Response) => {
      let caller = anonymous;
      if (r.access !== 'public') {
        caller = await authenticate(deps.db, req);
        if (!ACCESS_ROLES[r.access].includes(caller.role)) {
          throw new ForbiddenError(`The ${caller.role} role may not ${r.summary.toLowerCase()}`);
        }
      }
      refuseNulAndDepth({ path: req.params, query: req.query, body: req.body });
      const params = r.params ? parseOrThrow(r.params, req.params, 'path') : undefined;
      // Unknown query parameters are refused, not ignored: a misspelt filter must not answer with everything.
      const query = parseOrThrow(strictQuery(r.query), req.query, 'query');
      const rawBody = req.body === undefined && r.bodyOptional ? {} : req.body;
      const body = r.body ? parseOrThrow(r.body, rawBody, 'request body') : undefined;
      const run = async (): Promise<Reply> => ({ status: success, ...(await r.handle({ params, query, body, caller, req, deps })) });
      const reply = r.method === 'post' && r.access !== 'public' ? await withIdempotency(deps.db, caller, req, run) : await run();
      send(res, reply);
    });
  }
  return router;
}

/**
 * The status of a route's answers when its handler names none: the one success it declares (so that
 * /openapi.json and the answer cannot differ), or 200 where it declares several and its handler picks.
 */
function successStatus(r: AnyRoute): number {
  const successes = Object.keys(r.responses)
    .map(Number)
    .filter((status) => status >= 200 && status < 300);
  return successes.length === 1 ? (successes[0] as number) : 200;
}

const NO_QUERY = z.object({}).strict();
const strictQuery = (schema: z.ZodType | undefined): z.ZodType =>
  schema === undefined ? NO_QUERY : schema instanceof z.ZodObject ? schema.strict() : schema;

// No request of this API nests deeper than a handful of levels; a deeper one is refused before
// anything walks it (a 5,000-deep body would otherwise exhaust the stack).
const MAX_DEPTH = 32;

/**
 * Walks the request once, iteratively: refuses nesting deeper than MAX_DEPTH and any string holding
 * NUL (PostgreSQL text cannot hold it), naming the path (e.g. `body.members.0.name`).
 */
function refuseNulAndDepth(request: Record<string, unknown>) {
  const stack: { value: unknown; at: string; depth: number }[] = [{ value: request, at: '', depth: 0 }];
  while (stack.length > 0) {
    const { value, at, depth } = stack.pop() as (typeof stack)[number];
    if (typeof value === 'string') {
      if (value.includes('\u0000')) {
        throw new ValidationError(`${at} contains a NUL character`, [{ path: at, message: 'must not contain the NUL character' }]);
      }
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth > MAX_DEPTH) {
      throw new ValidationError(`${at} is nested more than ${MAX_DEPTH} levels deep`, [
        { path: at, message: `must not nest more than ${MAX_DEPTH} levels` },
      ]);
    }
    for (const [k, v] of Object.entries(value)) {
      const path = at ? `${at}.${k}` : k;
      stack.push({ value: k, at: path, depth: depth + 1 }, { value: v, at: path, depth: depth + 1 });
    }
  }
}

/** RFC 9457 problem details, as every error leaves the API. */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });

export const openApiPath = (expressPath: string) => expressPath.replace(/:(\w+)/g, '{$1}');

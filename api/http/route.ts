import type { Client } from '@temporalio/client';
import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { KeyPrincipal } from '../../core/people/principal.js';
import { ApiRole } from '../../lib/auth/api-keys.js';
import type { Db } from '../../lib/db/client.js';
import { ForbiddenError, ValidationError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { Mailer } from '../../lib/mail/mailer.js';
import { parseOrThrow } from '../../lib/validation.js';
import { authenticate } from './auth.js';
import { withIdempotency } from './idempotency.js';
import { type Reply, send } from './reply.js';

/** What every route handler may use. */
export interface RouteDeps {
  db: Db;
  temporal: Client;
  logger: Logger;
  taskQueue: string;
  /** Base URL of this API as users reach it, for links (calendar feeds). */
  publicUrl: string;
  /** Mail a request sends at once (notices of a changed address, a staff role), through the outbox. */
  mailer: Mailer;
  /** MAIL_GIVE_UP_AFTER, in ms. */
  mailGiveUpAfterMs: number;
  /** MAIL_REPLY_DOMAIN: mail sent at once also gets a bounce address of its own (core/mail/reply-to.ts). */
  replyDomain?: string | undefined;
  /** The domains the installation's own identity provider (OIDC_DOMAINS) vouches for: no organization's may claim them. */
  identityDomains: string[];
  /** Set when mail is captured locally; enables GET /mail. */
  mailCaptureDir?: string | undefined;
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

export interface RouteDef<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  method: 'get' | 'post' | 'put' | 'patch';
  /** Express-style path, e.g. /partnerships/:id. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  access: Access;
  params?: P;
  query?: Q;
  body?: B;
  /** The body may be left out altogether (it has only optional fields). */
  bodyOptional?: boolean;
  /** Error statuses the handler itself can answer, beyond those the framework adds (400, 401, 403, 409/422 for Idempotency-Key). */
  errors?: number[];
  responses: Record<number, ResponseSpec>;
  handle(ctx: RouteContext<z.output<P>, z.output<Q>, z.output<B>>): Promise<Reply>;
}

// biome-ignore lint/suspicious/noExplicitAny: the registry holds routes of every shape.
export type AnyRoute = RouteDef<any, any, any>;

/** Declares a route; the schemas validate the request and describe it in /openapi.json. */
export function route<P extends z.ZodType = z.ZodUndefined, Q extends z.ZodType = z.ZodUndefined, B extends z.ZodType = z.ZodUndefined>(
  def: RouteDef<P, Q, B>,
): AnyRoute {
  return def;
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
      const run = () => r.handle({ params, query, body, caller, req, deps });
      const reply = r.method === 'post' && r.access !== 'public' ? await withIdempotency(deps.db, caller, req, run) : await run();
      send(res, reply);
    });
  }
  return router;
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

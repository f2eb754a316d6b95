import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { extendDeadlineBody } from '../../core/deadlines/schemas.js';
import { uuidParam } from '../../core/fields.js';
import type { KeyPrincipal } from '../../core/people/principal.js';
import { visibleOwner, visiblePartnershipId } from '../../core/people/rights.js';
import type { Db } from '../../lib/db/client.js';
import { keyset, page, pageQuery, pageSchema } from '../../lib/pagination.js';
import type { DeadlineStatus } from '../../workflows/deadlines/messages.js';
import { type DeclaredRoute, type RouteDeps, route } from '../http/route.js';

type Keyset = ReturnType<typeof keyset>;

export const extensionJson = (e: {
  fromDueAt: Date;
  toDueAt: Date;
  reason: string;
  actor: string | null;
  actorId: string | null;
  actorName: string | null;
  onBehalfOfName: string | null;
}) => ({
  from: e.fromDueAt.toISOString(),
  to: e.toDueAt.toISOString(),
  by: e.actor && { kind: e.actor, id: e.actorId, name: e.actorName, onBehalfOf: e.onBehalfOfName },
  reason: e.reason,
});

export function liveDeadlineJson(live: DeadlineStatus<string> | null) {
  return (
    live && {
      status: live.status,
      nextNotice: live.nextStage && { ...live.nextStage, at: new Date(live.nextStage.at).toISOString() },
    }
  );
}

type Row = { id: string; status: string; extensions: Parameters<typeof extensionJson>[0][] };

/**
 * What a kind of deadline (a commitment, an evidence request) brings to the routes they share:
 * its names, its JSON and the core commands and queries it is made and changed by.
 */
export interface DeadlineKind<Stored extends { id: string; status: string }, Detail extends Stored & Row, CreateBody extends z.ZodType> {
  /** The path of one (`/commitments`) and its name in operation ids (`Commitment`). */
  path: `/${string}`;
  name: string;
  /** How a person says it: what it is, with its article, several ("commitment", "a commitment", "commitments"). */
  one: 'commitment' | 'evidence request';
  a: string;
  many: string;
  schema: z.ZodType;
  statuses: readonly [Stored['status'], ...Stored['status'][]];
  json: (r: Stored) => Record<string, unknown>;
  create: {
    summary: string;
    body: CreateBody;
    run: (deps: RouteDeps, caller: KeyPrincipal, partnershipId: string, body: z.output<CreateBody>) => Promise<Stored>;
  };
  list: (
    db: Db,
    where: { partnershipId: string; status?: Stored['status'] | undefined; ownerId?: string | undefined },
    k: Keyset,
  ) => Promise<Stored[]>;
  /** One with its extensions (and anything else its page shows: `detailJson` adds it). */
  detail: (db: Db, id: string) => Promise<Detail>;
  detailJson?: (r: Detail) => Record<string, unknown>;
  getDescription: string;
  live: (temporal: Client, id: string) => Promise<DeadlineStatus<string>>;
  extend: (deps: RouteDeps, caller: KeyPrincipal, id: string, body: z.output<typeof extendDeadlineBody>) => Promise<Stored>;
}

/** The routes every deadline has: create one in a partnership, list them, get one with its live status, extend it. */
export function deadlineRoutes<Stored extends { id: string; status: string }, Detail extends Stored & Row, CreateBody extends z.ZodType>(
  kind: DeadlineKind<Stored, Detail, CreateBody>,
): DeclaredRoute[] {
  const changed = changedResponse(kind.one, kind.schema);
  const listQuery = pageQuery(['dueAt', 'createdAt'], 'dueAt').extend({
    status: z.enum(kind.statuses as [string, ...string[]]).optional(),
    ownerId: z.uuid().optional(),
  });
  return [
    route(`POST /partnerships/:id${kind.path}`, {
      operationId: `create${kind.name}`,
      summary: kind.create.summary,
      access: 'member',
      params: uuidParam,
      body: kind.create.body,
      errors: [404, 409, 503],
      responses: { 201: { description: 'Created; its deadline workflow is running', schema: kind.schema } },
      async handle({ params, body, caller, deps }) {
        const created = await kind.create.run(deps, caller, params.id, body);
        return { location: `${kind.path}/${created.id}`, body: kind.json(created) };
      },
    }),
    route(`GET /partnerships/:id${kind.path}`, {
      operationId: `list${kind.name}s`,
      summary: `List a partnership's ${kind.many}`,
      access: 'member',
      params: uuidParam,
      query: listQuery,
      errors: [404],
      responses: { 200: { description: `One page of ${kind.many}`, schema: pageSchema(kind.schema) } },
      async handle({ params, query, caller, deps }) {
        const partnershipId = await visiblePartnershipId(deps.db, caller, params.id);
        const k = keyset(query);
        const rows = await kind.list(
          deps.db,
          { partnershipId, status: query.status as Stored['status'] | undefined, ownerId: query.ownerId },
          k,
        );
        return { body: page(rows, query, k.field, kind.json) };
      },
    }),
    route(`GET ${kind.path}/:id`, {
      operationId: `get${kind.name}`,
      summary: `Get ${kind.a}`,
      description: kind.getDescription,
      access: 'member',
      params: uuidParam,
      errors: [404],
      responses: { 200: { description: `The ${kind.one}` } },
      async handle({ params, caller, deps }) {
        await visibleOwner(deps.db, caller, kind.one, params.id);
        const r = await kind.detail(deps.db, params.id);
        const open = r.status === 'open' || r.status === 'overdue';
        const live = open ? await kind.live(deps.temporal, r.id).catch(() => null) : null;
        return {
          body: { ...kind.json(r), ...kind.detailJson?.(r), extensions: r.extensions.map(extensionJson), live: liveDeadlineJson(live) },
        };
      },
    }),
    route(`POST ${kind.path}/:id/extend`, {
      operationId: `extend${kind.name}`,
      summary: `Extend ${kind.a}`,
      description: 'Moves its due time, with the reason kept.',
      access: 'member',
      params: uuidParam,
      body: extendDeadlineBody,
      errors: [404, 409],
      responses: changed,
      handle: async ({ params, body, caller, deps }) => ({ body: kind.json(await kind.extend(deps, caller, params.id, body)) }),
    }),
  ];
}

/** The answer of a route that closes or changes a deadline: the deadline as it is now. */
export const changedResponse = (what: string, schema: z.ZodType) => ({ 200: { description: `The ${what} after the change`, schema } });

import { z } from 'zod';
import type { Prisma } from '../../generated/prisma/client.js';
import { keyset, page, pageQuery, pageSchema } from '../../lib/pagination.js';
import { route, tagged } from '../http/route.js';

const auditSchema = z
  .object({
    id: z.uuid(),
    occurredAt: z.string(),
    actor: z.enum(['person', 'api_key', 'system', 'command_line']),
    actorId: z.uuid().nullable(),
    actorName: z.string().nullable(),
    action: z.string(),
    subjectKind: z.string(),
    subjectId: z.uuid().nullable(),
    data: z.unknown(),
  })
  .meta({ id: 'AuditEvent' });

/** The audit log of people, keys, coordinators and staff roles: the installation's admin reads it. */
export const auditRoutes = tagged('Access', [
  route('GET /audit-events', {
    operationId: 'listAuditEvents',
    summary: 'List the audit log',
    description:
      'Every change to a person (address, mail settings, admin made), an API key, a coordinator or a staff role, with who made it. Append-only: the database refuses to change or delete an entry.',
    access: 'admin',
    query: pageQuery(['occurredAt'], '-occurredAt').extend({
      subjectId: z.uuid().optional().meta({ description: 'Only what was done to this person, key or cohort.' }),
      action: z.string().max(100).optional().meta({ description: 'Only this action, e.g. person.address_changed.' }),
    }),
    responses: { 200: { description: 'One page of the log', schema: pageSchema(auditSchema) } },
    async handle({ query, deps }) {
      const k = keyset(query);
      const rows = await deps.db.auditEvent.findMany({
        where: { AND: [{ subjectId: query.subjectId, action: query.action }, k.where as Prisma.AuditEventWhereInput] },
        orderBy: k.orderBy,
        take: k.take,
      });
      return {
        body: page(rows, query, k.field, (e) => ({
          id: e.id,
          occurredAt: e.occurredAt.toISOString(),
          actor: e.actor,
          actorId: e.actorId,
          actorName: e.actorName,
          action: e.action,
          subjectKind: e.subjectKind,
          subjectId: e.subjectId,
          data: e.data,
        })),
      };
    },
  }),
]);

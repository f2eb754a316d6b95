import { z } from 'zod';
import { ianaTimeZone, line } from '../../core/fields.js';
import { addCoordinator, createCohort, newCohort, newCoordinator } from '../../core/people/cohorts.js';
import { cohortScope, organizationScope, partnershipScope, personScope } from '../../core/people/rights.js';
import type { Prisma } from '../../generated/prisma/client.js';
import { isUniqueViolation } from '../../lib/db/client.js';
import { ConflictError, NotFoundError } from '../../lib/errors.js';
import { keyset, page, pageQuery, pageSchema } from '../../lib/pagination.js';
import { route, tagged } from '../http/route.js';
import { mailSettingsJson } from '../mail/notifications.js';

const organizationKind = z.enum(['district', 'partner', 'coordinating_body']);

const organizationSchema = z
  .object({ id: z.uuid(), kind: organizationKind, name: z.string(), timeZone: z.string(), createdAt: z.string() })
  .meta({ id: 'Organization' });
const organizationJson = (o: { id: string; kind: string; name: string; timeZone: string; createdAt: Date }) => ({
  id: o.id,
  kind: o.kind,
  name: o.name,
  timeZone: o.timeZone,
  createdAt: o.createdAt.toISOString(),
});

const personSchema = z.object({ id: z.uuid(), name: z.string(), email: z.string(), createdAt: z.string() }).meta({ id: 'Person' });
const personJson = (p: { id: string; name: string; email: string; createdAt: Date }) => ({
  id: p.id,
  name: p.name,
  email: p.email,
  createdAt: p.createdAt.toISOString(),
});

const cohortSchema = z
  .object({ id: z.uuid(), name: z.string(), coordinatorId: z.uuid().nullable(), createdAt: z.string() })
  .meta({ id: 'Cohort' });
const cohortJson = (c: { id: string; name: string; coordinatorId: string | null; createdAt: Date }) => ({
  id: c.id,
  name: c.name,
  coordinatorId: c.coordinatorId,
  createdAt: c.createdAt.toISOString(),
});

/** Organizations, people and cohorts: who takes part, as far as the caller may see. */
export const directoryRoutes = tagged('Directory', [
  route('POST /organizations', {
    operationId: 'createOrganization',
    summary: 'Create an organization',
    access: 'admin',
    body: z.object({ kind: organizationKind, name: line(200), timeZone: ianaTimeZone }).strict(),
    errors: [409],
    responses: { 201: { description: 'Created', schema: organizationSchema } },
    async handle({ body, deps }) {
      try {
        const org = await deps.db.organization.create({ data: body });
        return { location: `/organizations/${org.id}`, body: organizationJson(org) };
      } catch (e) {
        if (isUniqueViolation(e)) throw new ConflictError(`A ${body.kind} named ${JSON.stringify(body.name)} already exists`);
        throw e;
      }
    },
  }),
  route('GET /organizations', {
    operationId: 'listOrganizations',
    summary: 'List organizations',
    description: "The caller's own organization and those it works with in partnerships it can see.",
    access: 'member',
    query: pageQuery(['name', 'createdAt'], 'name').extend({ kind: organizationKind.optional() }),
    responses: { 200: { description: 'One page of organizations', schema: pageSchema(organizationSchema) } },
    async handle({ query, caller, deps }) {
      const k = keyset(query);
      const rows = await deps.db.organization.findMany({
        where: { AND: [organizationScope(caller), { kind: query.kind }, k.where as Prisma.OrganizationWhereInput] },
        orderBy: k.orderBy,
        take: k.take,
      });
      return { body: page(rows, query, k.field, organizationJson) };
    },
  }),
  route('GET /organizations/:id', {
    operationId: 'getOrganization',
    summary: 'Get an organization',
    access: 'member',
    errors: [404],
    responses: { 200: { description: 'The organization', schema: organizationSchema } },
    async handle({ params, caller, deps }) {
      const org = await deps.db.organization.findFirst({ where: { AND: [{ id: params.id }, organizationScope(caller)] } });
      if (!org) throw new NotFoundError(`Organization ${params.id} does not exist`);
      return { body: organizationJson(org) };
    },
  }),
  route('GET /people', {
    operationId: 'listPeople',
    summary: 'List people',
    description: 'Members of the partnerships the caller can see.',
    tag: 'People',
    access: 'member',
    query: pageQuery(['name', 'createdAt'], 'name').extend({
      email: z.string().max(320).optional().meta({ description: 'Exact email address (case-insensitive).' }),
    }),
    responses: { 200: { description: 'One page of people', schema: pageSchema(personSchema) } },
    async handle({ query, caller, deps }) {
      const k = keyset(query);
      const rows = await deps.db.person.findMany({
        where: { AND: [personScope(caller), { email: query.email?.toLowerCase() }, k.where as Prisma.PersonWhereInput] },
        orderBy: k.orderBy,
        take: k.take,
      });
      return { body: page(rows, query, k.field, personJson) };
    },
  }),
  route('GET /people/:id', {
    operationId: 'getPerson',
    summary: 'Get a person',
    description: 'With their memberships in the partnerships the caller can see.',
    tag: 'People',
    access: 'member',
    errors: [404],
    responses: { 200: { description: 'The person' } },
    async handle({ params, caller, deps }) {
      const person = await deps.db.person.findFirst({
        where: { AND: [{ id: params.id }, personScope(caller)] },
        include: { memberships: { where: { partnership: partnershipScope(caller) }, include: { partnership: true } } },
      });
      if (!person) throw new NotFoundError(`Person ${params.id} does not exist`);
      return {
        body: {
          ...personJson(person),
          mail: mailSettingsJson(person),
          memberships: person.memberships.map((m) => ({
            partnershipId: m.partnershipId,
            partnershipName: m.partnership.name,
            role: m.role,
            notifications: m.notifications,
          })),
        },
      };
    },
  }),
  route('POST /cohorts', {
    operationId: 'createCohort',
    summary: 'Create a cohort',
    access: 'admin',
    body: newCohort,
    errors: [409],
    responses: { 201: { description: 'Created', schema: cohortSchema } },
    async handle({ body, caller, deps }) {
      const cohort = await createCohort(deps.db, caller, body);
      return { location: `/cohorts/${cohort.id}`, body: cohortJson(cohort) };
    },
  }),
  route('GET /cohorts', {
    operationId: 'listCohorts',
    summary: 'List cohorts',
    access: 'member',
    query: pageQuery(['name', 'createdAt'], 'name'),
    responses: { 200: { description: 'One page of cohorts', schema: pageSchema(cohortSchema) } },
    async handle({ query, caller, deps }) {
      const k = keyset(query);
      const rows = await deps.db.cohort.findMany({
        where: { AND: [cohortScope(caller), k.where as Prisma.CohortWhereInput] },
        orderBy: k.orderBy,
        take: k.take,
      });
      return { body: page(rows, query, k.field, cohortJson) };
    },
  }),
  route('GET /cohorts/:id', {
    operationId: 'getCohort',
    summary: 'Get a cohort',
    description: 'With the number of its partnerships the caller can see, by status.',
    access: 'member',
    errors: [404],
    responses: { 200: { description: 'The cohort' } },
    async handle({ params, caller, deps }) {
      const cohort = await deps.db.cohort.findFirst({ where: { AND: [{ id: params.id }, cohortScope(caller)] } });
      if (!cohort) throw new NotFoundError(`Cohort ${params.id} does not exist`);
      const byStatus = await deps.db.partnership.groupBy({
        by: ['status'],
        where: { AND: [{ cohortId: cohort.id }, partnershipScope(caller)] },
        _count: { _all: true },
      });
      return { body: { ...cohortJson(cohort), partnerships: Object.fromEntries(byStatus.map((g) => [g.status, g._count._all])) } };
    },
  }),
  route('POST /cohorts/:id/coordinators', {
    operationId: 'addCohortCoordinator',
    summary: 'Make someone a coordinator of a cohort',
    description:
      'They sign in as themselves and see and manage every partnership of the cohort (the dashboard, its calendar, school calendar, imports). Someone new to Tandem is created. Idempotent.',
    access: 'admin',
    body: newCoordinator,
    errors: [404],
    responses: { 201: { description: 'A coordinator of the cohort', schema: z.object({ cohortId: z.uuid(), personId: z.uuid() }) } },
    async handle({ params, body, caller, deps }) {
      const { cohortId, person } = await addCoordinator(deps.db, caller, params.id, body);
      return { body: { cohortId, personId: person.id } };
    },
  }),
]);

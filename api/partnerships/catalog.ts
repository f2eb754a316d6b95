import { uuidParam } from '../../core/fields.js';
import {
  addCatalogEntry,
  applicationsOf,
  applyToCatalog,
  type CatalogOwner,
  catalogOf,
  decideApplication,
} from '../../core/partnerships/catalog.js';
import { catalogApplicationBody, catalogDecisionBody, catalogEntryBody } from '../../core/partnerships/schemas.js';
import type { CatalogApplication, CatalogEntry } from '../../generated/prisma/client.js';
import { route, tagged } from '../http/route.js';

/** Catalogs of partners over HTTP; the rules are in core/partnerships/catalog.ts. */

const entryJson = (e: CatalogEntry & { partner: { id: string; name: string } }) => ({
  id: e.id,
  partner: e.partner,
  pathways: e.pathways,
  description: e.description,
  createdAt: e.createdAt.toISOString(),
});

const applicationJson = (a: CatalogApplication) => ({
  id: a.id,
  entryId: a.entryId,
  team: a.team,
  districtId: a.districtId,
  goals: a.goals,
  pathway: a.pathway,
  contact: { name: a.contactName, email: a.contactEmail },
  status: a.status,
  decisionNote: a.decisionNote,
  decidedAt: a.decidedAt?.toISOString() ?? null,
  decidedBy: a.decidedBy,
  partnershipId: a.partnershipId,
  createdAt: a.createdAt.toISOString(),
});

const OWNERS = [
  { name: 'District', path: '/organizations/:id', owner: (id: string): CatalogOwner => ({ districtId: id }) },
  { name: 'Cohort', path: '/cohorts/:id', owner: (id: string): CatalogOwner => ({ cohortId: id }) },
] as const;

const ownerRoutes = OWNERS.flatMap((o) => [
  route(`GET ${o.path}/catalog`, {
    operationId: `get${o.name}Catalog`,
    summary: `A ${o.name.toLowerCase()}'s catalog of partners`,
    description: `The partner organizations the ${o.name.toLowerCase()} curated, each with the engagement pathways it offers; for everyone who sees the ${o.name.toLowerCase()}.`,
    access: 'member',
    params: uuidParam,
    errors: [404],
    responses: { 200: { description: 'The catalog' } },
    async handle({ params, caller, deps }) {
      const c = await catalogOf(deps, caller, o.owner(params.id));
      return { body: { name: c.name, entries: c.entries.map(entryJson) } };
    },
  }),
  route(`POST ${o.path}/catalog`, {
    operationId: `add${o.name}CatalogEntry`,
    summary: `Put a partner into a ${o.name.toLowerCase()}'s catalog`,
    description: `For those who keep the ${o.name.toLowerCase()}'s settings. A partner already in it is a 409.`,
    access: 'manager',
    params: uuidParam,
    body: catalogEntryBody,
    errors: [404, 409],
    responses: { 201: { description: 'The entry' } },
    handle: async ({ params, body, caller, deps }) => ({
      body: entryJson(await addCatalogEntry(deps, caller, o.owner(params.id), body)),
    }),
  }),
]);

export const catalogRoutes = tagged('Catalog', [
  ...ownerRoutes,
  route('POST /catalog-entries/:id/applications', {
    operationId: 'applyToCatalogEntry',
    summary: "Apply to a catalog's partner",
    description:
      "A school or district team's application: its goals, one of the pathways the partner offers, a contact (the new partnership's district lead if accepted); `districtId` for a cohort's catalog.",
    access: 'member',
    body: catalogApplicationBody,
    errors: [404],
    responses: { 201: { description: 'The application, pending' } },
    handle: async ({ params, body, caller, deps }) => ({
      body: applicationJson(await applyToCatalog(deps, caller, params.id, body)),
    }),
  }),
  route('GET /catalog-entries/:id/applications', {
    operationId: 'listCatalogApplications',
    summary: "A catalog entry's applications",
    access: 'manager',
    errors: [403, 404],
    responses: { 200: { description: 'Its applications, oldest first' } },
    handle: async ({ params, caller, deps }) => ({ body: { items: (await applicationsOf(deps, caller, params.id)).map(applicationJson) } }),
  }),
  route('POST /catalog-applications/:id/decision', {
    operationId: 'decideCatalogApplication',
    summary: 'Accept or decline an application',
    description:
      "Once, by the catalog's keepers: `accepted` with `firstReviewAt` creates the partnership in planning (the contact as its district lead, the pathway and goals as its record); `declined` with a `note` saying why. A second decision is a 409.",
    access: 'manager',
    body: catalogDecisionBody,
    errors: [403, 404, 409, 503],
    responses: { 200: { description: 'The application as decided, and the partnership made from it' } },
    async handle({ params, body, caller, deps }) {
      const { application, partnershipId } = await decideApplication(deps, caller, params.id, body);
      return { body: { application: applicationJson(application), partnershipId } };
    },
  }),
]);

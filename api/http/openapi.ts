import { createRequire } from 'node:module';
import path from 'node:path';
import express, { Router } from 'express';
import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponsesObject } from 'zod-openapi';
import { type AnyRoute, openApiPath, problemSchema } from './route.js';

const ERROR_TITLES: Record<number, string> = {
  400: 'Invalid request: the problem lists each bad field',
  401: 'No API key, or an unknown or revoked one',
  403: 'The key’s role may not do this',
  404: 'Does not exist, or is not visible to this key',
  409: 'The change conflicts with the current state (or the same Idempotency-Key is still being processed)',
  413: 'The request body is too large',
  422: 'The Idempotency-Key was already used for a different request',
  503: 'A dependency (the workflow engine) is unavailable; nothing was written',
};

const idempotencyHeader = z.object({
  'Idempotency-Key': z
    .string()
    .min(1)
    .max(255)
    .optional()
    .meta({ description: 'Makes the POST safe to retry: a repeat with the same key and request gets the first response again.' }),
});

/** The error statuses a route can answer: those the framework adds, and those its handler declares. */
export function errorStatuses(r: AnyRoute): number[] {
  const statuses = new Set(r.errors ?? []);
  if (r.params || r.query || r.body || r.method !== 'get') statuses.add(400);
  if (r.body) statuses.add(413);
  if (r.access !== 'public') statuses.add(401);
  if (r.access === 'manager' || r.access === 'admin') statuses.add(403);
  if (r.method === 'post' && r.access !== 'public') {
    statuses.add(409);
    statuses.add(422);
  }
  return [...statuses].sort();
}

function operation(r: AnyRoute): ZodOpenApiOperationObject {
  const responses: ZodOpenApiResponsesObject = {};
  for (const [status, spec] of Object.entries(r.responses)) {
    responses[status as `${1 | 2 | 3 | 4 | 5}${string}`] = {
      description: spec.description,
      ...(spec.schema ? { content: { [spec.contentType ?? 'application/json']: { schema: spec.schema } } } : {}),
    };
  }
  for (const status of errorStatuses(r)) {
    responses[String(status) as `4${string}`] = {
      description: ERROR_TITLES[status] ?? 'Error',
      content: { 'application/problem+json': { schema: problemSchema } },
    };
  }
  const withIdempotency = r.method === 'post' && r.access !== 'public';
  return {
    operationId: r.operationId,
    summary: r.summary,
    ...(r.description ? { description: r.description } : {}),
    tags: [r.tag],
    security: r.access === 'public' ? [] : [{ apiKey: [] }],
    requestParams: {
      ...(r.params ? { path: r.params } : {}),
      ...(r.query ? { query: r.query } : {}),
      ...(withIdempotency ? { header: idempotencyHeader } : {}),
    },
    ...(r.body ? { requestBody: { required: !r.bodyOptional, content: { 'application/json': { schema: r.body } } } } : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document, generated from the same route declarations and zod schemas that serve requests. */
function openApiDocument(routes: readonly AnyRoute[], serverUrl: string, extraPaths: ZodOpenApiPathsObject) {
  const paths: ZodOpenApiPathsObject = { ...extraPaths };
  for (const r of routes) {
    const p = openApiPath(r.path);
    paths[p] = { ...paths[p], [r.method]: operation(r) };
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Tandem',
      version: '1',
      description:
        'Durable review cycles for school district partnerships. Every route but the health checks, this document and subscribed calendars needs `Authorization: Bearer <API key>`; a key sees only its own cohort or organization.',
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'A Tandem API key (tdm_…).' } },
    },
    paths,
  });
}

const swaggerUiDir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Tandem API</title><link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body></html>`;

// A file of its own rather than an inline script, so the page runs under helmet's default CSP.
const DOCS_INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', persistAuthorization: true });`;

/** /openapi.json and /docs (Swagger UI, served from the installed package: no internet needed). */
export function openApiRouter(
  routes: readonly AnyRoute[],
  serverUrl: string,
  /** Operations served outside the route layer (the inbound mail endpoint, which takes a raw message). */
  extraPaths: ZodOpenApiPathsObject = {},
) {
  const document = openApiDocument(routes, serverUrl, extraPaths);
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  router.get('/docs', (_req, res) => {
    res.type('html').send(DOCS_PAGE);
  });
  router.get('/docs/init.js', (_req, res) => {
    res.type('application/javascript').send(DOCS_INIT);
  });
  router.use('/docs/assets', express.static(swaggerUiDir, { index: false }));
  return router;
}

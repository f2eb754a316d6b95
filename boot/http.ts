import { fromNodeHeaders } from 'better-auth/node';
import express, { type RequestHandler } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { type AppDeps, apiRouter } from '../api/app.js';
import { recordStateMetrics } from '../api/http/metrics.js';
import { notFoundRoute, problemHandler } from '../api/http/problem.js';
import { forgetRecentReads } from '../api/partnerships/recent-reads.js';
import { syncProviders } from '../core/people/identity-providers.js';
import { AUTH_BASE_PATH, CLIENT_ADDRESS_HEADER, type TandemAuth } from '../lib/auth/better-auth.js';
import type { Sealer } from '../lib/auth/sealed.js';
import type { Db } from '../lib/db/client.js';
import { DependencyUnavailableError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { createMetrics } from '../lib/metrics.js';
import { traceRequests } from '../lib/tracing.js';
import { problemPage, webRouter } from '../web/app.js';
import type { WebDeps } from '../web/http/deps.js';

/** What the one HTTP server needs: the pages' (PUBLIC_URL's scheme also decides the security headers) and the API's. */
export interface HttpDeps extends WebDeps {
  /** The Temporal namespace (the API's health check asks it). */
  namespace: string;
  /** The district's identity provider, when configured: its name on the sign-in page, its origin in the forms' policy. */
  oidc?: { issuer: string; name: string; domains: string[] } | undefined;
  /** True once shutdown began (see lib/http-server.ts). */
  draining?: () => boolean;
  /** MAIL_REPLY_DOMAIN with INBOUND_MAIL_SECRET: POST /inbound/mail takes replies (core/replies/). */
  replies?: AppDeps['replies'];
}

/**
 * The one HTTP server: Better Auth's endpoints (the identity provider's callback, sign-out), the
 * pages for people (web/) and the API for integrations (api/), behind the same security headers
 * and logging.
 */
export function createHttpApp(deps: HttpDeps) {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  const https = deps.publicUrl.startsWith('https:');
  // The sign-in page's policy names the identity providers a form may lead to: they are brought up
  // to date before it is written (one approved a moment ago included).
  app.use('/sign-in', (_req, _res, next) => {
    syncProviders(deps).then(() => next(), next);
  });
  // A span for each request, in whose trace the workflows and mail it causes follow (lib/tracing.ts).
  app.use(traceRequests);
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          // On a plain-http host (a school intranet, http://tandem.test) an upgrade would send the
          // forms to an https address that does not answer: only ask for it when served over https.
          upgradeInsecureRequests: https ? [] : null,
          // Forms post here; the identity-provider form is redirected on to the provider.
          // The installation's and the organizations' providers (approved ones come and go).
          formAction: ["'self'", (_req, _res) => providerOrigins(deps.auth)],
        },
      },
      strictTransportSecurity: https,
    }),
  );
  // Prometheus' scrape, and every request counted by its route (lib/metrics.ts).
  const metrics = createMetrics('api');
  recordStateMetrics(metrics, deps.db);
  app.use(metrics.http);
  app.get('/metrics', metrics.handler);
  app.use(
    pinoHttp({
      logger: deps.logger,
      autoLogging: {
        ignore: (req) => req.url === '/health' || req.url === '/ready' || req.url === '/metrics' || (req.url ?? '').startsWith('/assets/'),
      },
      serializers: {
        req: (req) => ({ id: req.id, method: req.method, url: (req.url as string).replace(/([?&]t=)[^&]+/, '$1…') }),
        res: (res) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  // Of Better Auth's own endpoints, only the identity provider's callback is reachable: sign-in,
  // sign-out, sessions and profiles go through Tandem's pages, which decide what a person may do.
  app.get(`${AUTH_BASE_PATH}/callback/:providerId`, providerCallback(deps));
  const web = {
    db: deps.db,
    temporal: deps.temporal,
    logger: deps.logger,
    taskQueue: deps.taskQueue,
    auth: deps.auth,
    mailer: deps.mailer,
    mailGiveUpAfterMs: deps.mailGiveUpAfterMs,
    replyDomain: deps.replyDomain,
    taskLinks: deps.taskLinks,
    publicUrl: deps.publicUrl,
    secret: deps.secret,
    sealer: deps.sealer,
    mailCaptureDir: deps.mailCaptureDir,
  };
  // A change made through this process (a form or an API call) is seen by its next read of a
  // partnership: reads made before it, and while it was under way, are not reused.
  app.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      forgetRecentReads();
      res.on('close', forgetRecentReads);
    }
    next();
  });
  app.use(webRouter(web));
  app.use(express.json({ limit: '256kb' }));
  app.use(apiRouter({ ...deps, identityDomains: deps.oidc?.domains ?? [] }));
  // A person's browser is shown pages; integrations get problem+json.
  const page = problemPage(web);
  app.use(notFoundRoute(page));
  app.use(problemHandler(deps.logger, page));
  return app;
}

/**
 * The identity provider's redirect back to Tandem, handed to Better Auth. When it cannot answer (the
 * database is down), the person gets a page saying so rather than Better Auth's bare 500.
 */
function providerCallback(deps: { db: Db; auth: TandemAuth; sealer: Sealer; logger: Logger }): RequestHandler {
  const { auth } = deps;
  return async (req, res, next) => {
    try {
      await syncProviders(deps);
      const url = new URL(req.originalUrl, `${req.protocol}://${req.get('host') ?? 'localhost'}`);
      const headers = fromNodeHeaders(req.headers);
      headers.set(CLIENT_ADDRESS_HEADER, req.ip ?? 'unknown');
      const answer = await auth.auth.handler(new Request(url, { method: 'GET', headers }));
      if (answer.status >= 500)
        throw new DependencyUnavailableError('Signing in with your district account is unavailable; try again in a moment');
      res.status(answer.status);
      answer.headers.forEach((value, name) => {
        if (name !== 'set-cookie') res.set(name, value);
      });
      for (const c of answer.headers.getSetCookie()) res.append('Set-Cookie', c);
      res.send(Buffer.from(await answer.arrayBuffer()));
    } catch (e) {
      next(e);
    }
  };
}

/** Where forms may lead: the origins of the identity providers in use (the sign-in form redirects there). */
function providerOrigins(auth: TandemAuth): string {
  const origins = [...new Set(auth.providers().map((p) => new URL(p.issuer).origin))];
  return origins.join(' ') || "'self'";
}

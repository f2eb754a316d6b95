import type { Client } from '@temporalio/client';
import { toNodeHandler } from 'better-auth/node';
import express from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { apiRouter } from '../api/app.js';
import { notFoundRoute, problemHandler } from '../api/http/problem.js';
import { AUTH_BASE_PATH, type TandemAuth } from '../lib/auth/better-auth.js';
import type { Db } from '../lib/db/client.js';
import type { Logger } from '../lib/logger.js';
import type { Mailer } from '../lib/mail/mailer.js';
import { webRouter } from '../web/app.js';

export interface HttpDeps {
  db: Db;
  temporal: Client;
  mailer: Mailer;
  logger: Logger;
  auth: TandemAuth;
  namespace: string;
  taskQueue: string;
  /** PUBLIC_URL: links, cookies (Secure on https) and the security headers follow its scheme. */
  publicUrl: string;
  /** AUTH_SECRET, which also keys the forms' CSRF tokens. */
  secret: string;
  /** The district's identity provider, when configured: its name on the sign-in page, its origin in the forms' policy. */
  oidc?: { issuer: string; name: string } | undefined;
  /** Set when mail is captured locally; enables /mail. */
  mailCaptureDir?: string | undefined;
  /** True once shutdown began (see lib/http-server.ts). */
  draining?: () => boolean;
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
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          // On a plain-http host (a school intranet, http://tandem.test) an upgrade would send the
          // forms to an https address that does not answer: only ask for it when served over https.
          upgradeInsecureRequests: https ? [] : null,
          // Forms post here; the identity-provider form is redirected on to the provider.
          formAction: ["'self'", ...(deps.oidc ? [new URL(deps.oidc.issuer).origin] : [])],
        },
      },
      strictTransportSecurity: https,
    }),
  );
  app.use(
    pinoHttp({
      logger: deps.logger,
      autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/ready' || (req.url ?? '').startsWith('/assets/') },
      serializers: {
        req: (req) => ({ id: req.id, method: req.method, url: (req.url as string).replace(/([?&]t=)[^&]+/, '$1…') }),
        res: (res) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  // Better Auth reads its own bodies: mounted before any parser.
  app.all(`${AUTH_BASE_PATH}/{*rest}`, toNodeHandler(deps.auth.auth));
  app.use(
    webRouter({
      db: deps.db,
      temporal: deps.temporal,
      logger: deps.logger,
      taskQueue: deps.taskQueue,
      auth: deps.auth,
      publicUrl: deps.publicUrl,
      secret: deps.secret,
      oidcName: deps.oidc?.name,
      mailCaptureDir: deps.mailCaptureDir,
    }),
  );
  app.use(express.json({ limit: '256kb' }));
  app.use(apiRouter(deps));
  app.use(notFoundRoute);
  app.use(problemHandler(deps.logger));
  return app;
}

import type { Client } from '@temporalio/client';
import express from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { Db } from '../lib/db/client.js';
import type { Logger } from '../lib/logger.js';
import type { Mailer } from '../lib/mail/mailer.js';
import { commitmentsRouter } from './commitments.js';
import { evidenceRouter } from './evidence.js';
import { dependencyChecks, healthRouter } from './health.js';
import { lifecycleRouter } from './lifecycle.js';
import { mailRouter } from './mail.js';
import { partnershipsRouter } from './partnerships.js';
import { notFoundRoute, problemHandler } from './problem.js';
import { reflectionsRouter } from './reflections.js';

export interface AppDeps {
  db: Db;
  temporal: Client;
  mailer: Mailer;
  logger: Logger;
  namespace: string;
  taskQueue: string;
  /** Set when mail is captured locally; enables GET /mail. */
  mailCaptureDir?: string;
  /** True once shutdown began (see lib/http-server.ts). */
  draining?: () => boolean;
}

export function createApp(deps: AppDeps) {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(helmet());
  app.use(
    pinoHttp({
      logger: deps.logger,
      autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/ready' },
      serializers: {
        req: (req) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  app.use(express.json({ limit: '256kb' }));

  app.use(healthRouter({ checks: dependencyChecks(deps), draining: deps.draining ?? (() => false) }));
  app.use(partnershipsRouter(deps));
  app.use(lifecycleRouter(deps));
  app.use(commitmentsRouter(deps));
  app.use(evidenceRouter(deps));
  app.use(reflectionsRouter(deps));
  if (deps.mailCaptureDir) app.use(mailRouter(deps.mailCaptureDir));

  app.use(notFoundRoute);
  app.use(problemHandler(deps.logger));
  return app;
}

import { Router } from 'express';
import type { ReplyDeps } from '../core/replies/receive.js';
import { commentRoutes } from './comments/comments.js';
import { commitmentRoutes } from './deadlines/commitments.js';
import { evidenceRoutes } from './deadlines/evidence.js';
import { dependencyChecks, healthRouter } from './http/health.js';
import { openApiRouter } from './http/openapi.js';
import { type AnyRoute, mountRoutes, type RouteDeps } from './http/route.js';
import { inquiryRoutes } from './inquiry/cycles.js';
import { lessonRoutes } from './inquiry/lessons.js';
import { mailRoutes } from './mail/captured.js';
import { notificationRoutes } from './mail/notifications.js';
import { measureRoutes } from './measures/measures.js';
import { catalogRoutes } from './partnerships/catalog.js';
import { importRoutes } from './partnerships/import.js';
import { lifecycleRoutes } from './partnerships/lifecycle.js';
import { partnershipRoutes } from './partnerships/partnerships.js';
import { planningRoutes } from './partnerships/planning.js';
import { apiKeyRoutes } from './people/api-keys.js';
import { auditRoutes } from './people/audit.js';
import { directoryRoutes } from './people/directory.js';
import { identityProviderRoutes } from './people/identity-providers.js';
import { rosterRoutes } from './people/roster.js';
import { staffRoutes } from './people/staff.js';
import { reflectionRoutes } from './reflections/reflections.js';
import { inboundMailOperation, inboundMailRouter } from './replies/inbound.js';
import { replyRoutes } from './replies/replies.js';
import { boardSummaryRoutes } from './reports/board-summary.js';
import { reportRoutes } from './reports/reports.js';
import { stuckRoutes } from './reports/stuck.js';
import { calendarRoutes } from './reviews/calendar.js';
import { reviewRoutes } from './reviews/reviews.js';
import { schoolCalendarRoutes } from './reviews/school-calendars.js';
import { webhookRoutes } from './webhooks/webhooks.js';

export interface AppDeps extends RouteDeps {
  /** The Temporal namespace (the health check asks it). */
  namespace: string;
  /** True once shutdown began (see lib/http-server.ts). */
  draining?: () => boolean;
  /** With MAIL_REPLY_DOMAIN and INBOUND_MAIL_SECRET: POST /inbound/mail takes replies. */
  replies?: (ReplyDeps & { inboundSecret: string }) | undefined;
}

/** Every route of the API, in the order /openapi.json lists them. */
export function apiRoutes(opts: { mailCaptureDir?: string | undefined } = {}): AnyRoute[] {
  return [
    ...partnershipRoutes,
    ...importRoutes,
    ...lifecycleRoutes,
    ...planningRoutes,
    ...catalogRoutes,
    ...reviewRoutes,
    ...commitmentRoutes,
    ...evidenceRoutes,
    ...inquiryRoutes,
    ...lessonRoutes,
    ...reflectionRoutes,
    ...replyRoutes,
    ...commentRoutes,
    ...measureRoutes,
    ...reportRoutes,
    ...boardSummaryRoutes,
    ...stuckRoutes,
    ...calendarRoutes,
    ...schoolCalendarRoutes,
    ...directoryRoutes,
    ...rosterRoutes,
    ...staffRoutes,
    ...identityProviderRoutes,
    ...apiKeyRoutes,
    ...auditRoutes,
    ...webhookRoutes,
    ...notificationRoutes,
    ...(opts.mailCaptureDir ? mailRoutes(opts.mailCaptureDir) : []),
  ];
}

/** The API for integrations (Bearer API keys): health, the OpenAPI document, every route. */
export function apiRouter(deps: AppDeps) {
  const routes = apiRoutes(deps);
  const router = Router();
  router.use(healthRouter({ checks: dependencyChecks(deps), draining: deps.draining ?? (() => false) }));
  router.use(openApiRouter(routes, deps.publicUrl, deps.replies ? inboundMailOperation : {}));
  if (deps.replies) router.use(inboundMailRouter(deps.replies));
  router.use(mountRoutes(routes, deps));
  return router;
}

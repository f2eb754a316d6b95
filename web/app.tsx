import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cookieParser from 'cookie-parser';
import express, { Router } from 'express';
import multer from 'multer';
import type { PageRenderer } from '../api/http/problem.js';
import { EVIDENCE_MAX_BYTES } from '../core/deadlines/files.js';
import { pages } from '../core/pages.js';
import type { PersonPrincipal } from '../core/people/principal.js';
import { partnershipScope } from '../core/people/rights.js';
import { NotFoundError, ValidationError } from '../lib/errors.js';
import { commentAction } from './comments/comments.js';
import { commitmentActions, commitmentPage, evidenceActions, evidencePage } from './deadlines/deadline.js';
import type { WebDeps } from './http/deps.js';
import { ID_PARAMS, Problem, pageKit } from './http/pages.js';
import { cohortCyclePage, saveCohortCycle } from './inquiry/cohort-cycle.js';
import { cyclePage, newCyclePage, saveCyclePhase, saveNewCycle } from './inquiry/cycle.js';
import { cohortLessonsPage, publicationPage, publicationPdfDownload, saveLesson } from './inquiry/lessons.js';
import { capturedMailPage } from './mail/captured.js';
import { unsubscribeRoutes } from './mail/unsubscribe.js';
import { measureChartSvg, measurePage, newGoalPage, saveGoal, saveMeasureChange, saveMeasureValues } from './measures/measures.js';
import { catalogPage, saveApplication, saveCatalogEntry, saveDecision } from './partnerships/catalog.js';
import { importPage, saveImport } from './partnerships/import.js';
import { newPartnershipPage, saveNewPartnership } from './partnerships/new-partnership.js';
import { partnershipPage } from './partnerships/partnership.js';
import { planningPage, planningQuestionsPage, saveActivation, savePlanning, savePlanningQuestions } from './partnerships/planning.js';
import { cohortsPage, saveCohort, saveCoordinator } from './people/cohorts.js';
import { myWork } from './people/home.js';
import { rosterActions } from './people/roster.js';
import { addressConfirmation, askNewAddress, makeCalendarFeed, saveSettings, settingsPage } from './people/settings.js';
import { signInRoutes } from './people/sign-in.js';
import { cohortCheckInsPage } from './reflections/check-ins.js';
import { reflectionPage, saveReflectionForm } from './reflections/reflection.js';
import { boardSummaryPage, boardSummaryPdfDownload } from './reports/board-summary.js';
import { calendarPage, cohortIcs, makeCohortFeed } from './reports/calendar.js';
import { chartSvg, chartsPage } from './reports/charts.js';
import { dashboardCsv, dashboardPage, overdueCsv } from './reports/dashboard.js';
import { reportCsv, reportPage } from './reports/report-pages.js';
import { stuckPage } from './reports/stuck.js';
import { reviewPage, saveOutcome, saveReschedule } from './reviews/review.js';
import { saveSchoolCalendar, schoolCalendarPage } from './reviews/school-calendar.js';
import { deleteWebhook, newWebhookSecret, resendDelivery, saveWebhook, saveWebhookStatus, webhooksPage } from './webhooks/webhooks.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ASSETS = fileURLToPath(new URL('./assets', import.meta.url));

/**
 * The web app for people: sign-in, "My work", a partnership's page, a review (and its outcome), a
 * reflection, a commitment, an evidence request, an inquiry cycle, settings. Every form works without JavaScript and
 * posts with a CSRF token; every change goes through the same actions, and so the same rights, as
 * the API (core/<domain>/commands.ts). Long by design: the routing table of every page, a line or
 * three each, so that a page's address is found in one place.
 */
export function webRouter(deps: WebDeps): Router {
  const kit = pageKit(deps);
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '256kb' });
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: EVIDENCE_MAX_BYTES, files: 1, fields: 20 } }).single('file');
  // A form's fields, then its CSRF token; a multipart form's parser comes first.
  const posted = [form, kit.csrfProtection];
  const uploaded: express.RequestHandler[] = [
    (req, res, next) =>
      upload(req, res, (e) => {
        if (!e) return next();
        const tooBig = (e as { code?: string }).code === 'LIMIT_FILE_SIZE';
        next(
          new ValidationError(tooBig ? `The file is larger than ${EVIDENCE_MAX_BYTES / 1024 / 1024} MiB` : 'The upload could not be read', [
            { path: 'file', message: tooBig ? 'is too large' : 'could not be read' },
          ]),
        );
      }),
    kit.csrfProtection,
  ];

  /** A download for the signed-in person (a file, a CSV); without a session, the sign-in page first. */
  const download =
    (send: (me: PersonPrincipal, req: express.Request, res: express.Response) => Promise<void>): express.RequestHandler =>
    async (req, res, next) => {
      try {
        const me = await kit.whoIs(req);
        if (!me) return res.redirect(303, `/sign-in?${new URLSearchParams({ next: req.originalUrl })}`);
        await send(me, req, res);
      } catch (e) {
        next(e);
      }
    };

  // An address with something else than an id where one belongs is a page that does not exist.
  for (const name of ID_PARAMS) {
    router.param(name, (req, _res, next, value: string) =>
      next(UUID.test(value) ? undefined : new NotFoundError(`There is no page at ${req.path}`)),
    );
  }
  router.use('/assets', express.static(ASSETS, { maxAge: '1h', fallthrough: false }));
  // Browsers and feed readers ask for it whatever the page says.
  router.get('/favicon.ico', (_req, res) => res.redirect(301, '/assets/favicon.svg'));
  router.use(cookieParser());
  router.use(signInRoutes(deps, kit));
  router.use(unsubscribeRoutes(kit));

  router.get('/', kit.signedIn(myWork));
  router.get(
    '/settings',
    kit.signedIn((ctx) => settingsPage(ctx)),
  );
  router.post('/settings', ...posted, kit.signedIn(saveSettings));
  router.post('/settings/calendar', ...posted, kit.signedIn(makeCalendarFeed));
  router.post('/settings/new-address', ...posted, kit.signedIn(askNewAddress));
  const confirmation = addressConfirmation(kit);
  router.get(pages.confirmAddress(), confirmation.page);
  router.post(pages.confirmAddress(), ...posted, confirmation.confirm);

  router.get('/dashboard', kit.signedIn(dashboardPage));
  router.get('/dashboard/stuck', kit.signedIn(stuckPage));
  router.get(
    '/dashboard/cohorts',
    kit.signedIn((ctx) => cohortsPage(ctx)),
  );
  router.post('/dashboard/cohorts', ...posted, kit.signedIn(saveCohort));
  router.post('/dashboard/cohorts/:id/coordinators', ...posted, kit.signedIn(saveCoordinator));
  router.get(
    '/dashboard/cohorts/:id/inquiry',
    kit.signedIn((ctx) => cohortCyclePage(ctx)),
  );
  router.post('/dashboard/cohorts/:id/inquiry', ...posted, kit.signedIn(saveCohortCycle));
  router.get('/dashboard/cohorts/:id/check-ins', kit.signedIn(cohortCheckInsPage));
  router.get('/dashboard/cohorts/:id/lessons', kit.signedIn(cohortLessonsPage));
  router.get('/dashboard/cohorts/:id/lessons/publication', kit.signedIn(publicationPage));
  router.get(
    '/dashboard/cohorts/:id/lessons/publication.pdf',
    download((me, req, res) => publicationPdfDownload(deps.db, me, req, res)),
  );
  router.get(
    '/dashboard/new',
    kit.signedIn((ctx) => newPartnershipPage(ctx)),
  );
  router.post('/dashboard/new', ...posted, kit.signedIn(saveNewPartnership));
  router.get(
    '/dashboard/import',
    kit.signedIn((ctx) => importPage(ctx)),
  );
  router.post('/dashboard/import', ...uploaded, kit.signedIn(saveImport));
  router.get(
    '/dashboard/school-calendar',
    kit.signedIn((ctx) => schoolCalendarPage(ctx)),
  );
  router.post('/dashboard/school-calendar', ...uploaded, kit.signedIn(saveSchoolCalendar));
  router.get(
    pages.webhooks(),
    kit.signedIn((ctx) => webhooksPage(ctx)),
  );
  router.post('/dashboard/webhooks', ...posted, kit.signedIn(saveWebhook));
  router.post('/dashboard/webhooks/:id/status', ...posted, kit.signedIn(saveWebhookStatus));
  router.post('/dashboard/webhooks/:id/secret', ...posted, kit.signedIn(newWebhookSecret));
  router.post('/dashboard/webhooks/:id/remove', ...posted, kit.signedIn(deleteWebhook));
  router.post('/dashboard/webhooks/:id/redeliver', ...posted, kit.signedIn(resendDelivery));
  router.get(
    '/dashboard/planning-questions',
    kit.signedIn((ctx) => planningQuestionsPage(ctx)),
  );
  router.post('/dashboard/planning-questions', ...posted, kit.signedIn(savePlanningQuestions));
  router.get(
    '/dashboard/catalog',
    kit.signedIn((ctx) => catalogPage(ctx)),
  );
  router.post('/dashboard/catalog', ...posted, kit.signedIn(saveCatalogEntry));
  router.post('/dashboard/catalog/:id/apply', ...posted, kit.signedIn(saveApplication));
  router.post('/dashboard/catalog/applications/:id/decision', ...posted, kit.signedIn(saveDecision));
  router.get(
    '/dashboard/charts',
    kit.signedIn((ctx) => chartsPage(ctx)),
  );
  router.get(
    '/dashboard/charts/:chart.svg',
    download((me, req, res) => chartSvg(deps.db, me, req, res)),
  );
  router.get(
    '/dashboard/reports/:report.csv',
    download((me, req, res) => reportCsv(deps.db, me, req, res)),
  );
  router.get(
    '/dashboard/reports/:report',
    kit.signedIn((ctx) => reportPage(ctx)),
  );
  router.get(
    '/dashboard/calendar',
    kit.signedIn((ctx) => calendarPage(ctx)),
  );
  router.post('/dashboard/calendar/feed', ...posted, kit.signedIn(makeCohortFeed));
  router.get(
    '/dashboard/calendar.ics',
    download((me, req, res) => cohortIcs(deps.db, me, req, res, deps.publicUrl)),
  );
  router.get(
    '/dashboard.csv',
    download((me, req, res) => dashboardCsv(deps.db, me, req, res)),
  );
  router.get(
    '/dashboard/overdue.csv',
    download((me, req, res) => overdueCsv(deps.db, me, req, res)),
  );
  router.get(
    '/p/:partnershipId',
    kit.signedIn((ctx) => partnershipPage(ctx)),
  );
  const roster = rosterActions(partnershipPage);
  router.post('/p/:partnershipId/members', ...posted, kit.signedIn(roster.add));
  router.post('/p/:partnershipId/members/:personId/role', ...posted, kit.signedIn(roster.role));
  router.post('/p/:partnershipId/members/:personId/handover', ...posted, kit.signedIn(roster.handover));
  router.post('/p/:partnershipId/members/:personId/remove', ...posted, kit.signedIn(roster.remove));
  router.get(
    '/p/:partnershipId/planning',
    kit.signedIn((ctx) => planningPage(ctx)),
  );
  router.post('/p/:partnershipId/planning', ...posted, kit.signedIn(savePlanning));
  router.post('/p/:partnershipId/activate', ...posted, kit.signedIn(saveActivation));
  router.get(
    '/p/:partnershipId/reviews/:reviewId',
    kit.signedIn((ctx) => reviewPage(ctx)),
  );
  router.post('/p/:partnershipId/reviews/:reviewId/outcome', ...posted, kit.signedIn(saveOutcome));
  router.post('/p/:partnershipId/reviews/:reviewId/reschedule', ...posted, kit.signedIn(saveReschedule));
  router.get(
    '/p/:partnershipId/reviews/:reviewId/reflection',
    kit.signedIn((ctx) => reflectionPage(ctx)),
  );
  router.post('/p/:partnershipId/reviews/:reviewId/reflection', ...posted, kit.signedIn(saveReflectionForm));

  router.post(
    '/p/:partnershipId/reviews/:reviewId/measures',
    ...posted,
    kit.signedIn((ctx) => saveMeasureValues(ctx, reviewPage)),
  );
  router.get(
    '/p/:partnershipId/summary',
    kit.signedIn((ctx) => boardSummaryPage(ctx)),
  );
  router.get(
    '/p/:partnershipId/summary.pdf',
    download((me, req, res) => boardSummaryPdfDownload(deps.db, me, req, res)),
  );
  router.get(
    '/p/:partnershipId/goals/new',
    kit.signedIn((ctx) => newGoalPage(ctx)),
  );
  router.post('/p/:partnershipId/goals', ...posted, kit.signedIn(saveGoal));
  router.get(
    '/p/:partnershipId/measures/:id',
    kit.signedIn((ctx) => measurePage(ctx)),
  );
  router.get(
    '/p/:partnershipId/measures/:id/chart.svg',
    download((me, req, res) => measureChartSvg(deps.db, me, req, res)),
  );
  router.post('/p/:partnershipId/measures/:id/change', ...posted, kit.signedIn(saveMeasureChange));

  router.get(
    '/p/:partnershipId/inquiry/new',
    kit.signedIn((ctx) => newCyclePage(ctx)),
  );
  router.post('/p/:partnershipId/inquiry', ...posted, kit.signedIn(saveNewCycle));
  router.get(
    '/p/:partnershipId/inquiry/:cycleId',
    kit.signedIn((ctx) => cyclePage(ctx)),
  );
  router.post('/p/:partnershipId/inquiry/:cycleId/phases/:phase', ...posted, kit.signedIn(saveCyclePhase));
  router.post(
    '/p/:partnershipId/inquiry/:cycleId/lesson',
    ...posted,
    kit.signedIn((ctx) => saveLesson(ctx, (c, lesson) => cyclePage(c, { lesson }))),
  );

  router.get(
    '/p/:partnershipId/commitments/:id',
    kit.signedIn((ctx) => commitmentPage(ctx)),
  );
  router.post('/p/:partnershipId/commitments/:id/complete', ...posted, kit.signedIn(commitmentActions.complete));
  router.post('/p/:partnershipId/commitments/:id/extend', ...posted, kit.signedIn(commitmentActions.extend));
  router.post('/p/:partnershipId/commitments/:id/drop', ...posted, kit.signedIn(commitmentActions.drop));

  router.get(
    '/p/:partnershipId/evidence/:id',
    kit.signedIn((ctx) => evidencePage(ctx)),
  );
  router.post('/p/:partnershipId/evidence/:id/items', ...uploaded, kit.signedIn(evidenceActions.submit));
  router.post('/p/:partnershipId/evidence/:id/extend', ...posted, kit.signedIn(evidenceActions.extend));
  router.post('/p/:partnershipId/evidence/:id/waive', ...posted, kit.signedIn(evidenceActions.waive));
  router.post('/p/:partnershipId/evidence/:id/review', ...posted, kit.signedIn(evidenceActions.review));
  router.post(
    '/p/:partnershipId/reviews/:reviewId/comments',
    ...posted,
    kit.signedIn(commentAction('review', 'reviewId', reviewPage, pages.review)),
  );
  router.post(
    '/p/:partnershipId/commitments/:id/comments',
    ...posted,
    kit.signedIn(commentAction('commitment', 'id', commitmentPage, pages.commitment)),
  );
  router.post(
    '/p/:partnershipId/evidence/:id/comments',
    ...posted,
    kit.signedIn(commentAction('evidence_request', 'id', evidencePage, pages.evidence)),
  );
  router.post(
    '/p/:partnershipId/inquiry/:cycleId/lesson/comments',
    ...posted,
    kit.signedIn(commentAction('lesson', 'cycleId', (c, comment) => cyclePage(c, { comment }), pages.inquiryCycle)),
  );
  router.get(
    '/p/:partnershipId/evidence/:id/files/:fileId',
    download(async (me, req, res) => {
      const { fileId, id, partnershipId } = req.params as Record<string, string>;
      const file = await deps.db.evidenceFile.findFirst({
        where: { id: fileId, item: { requestId: id, request: { partnershipId, partnership: partnershipScope(me) } } },
      });
      if (!file) throw new NotFoundError('No such file');
      // Always a download, never rendered here: whatever is inside cannot run on this origin.
      res
        .set({
          'Content-Type': file.contentType,
          'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
          'X-Content-Type-Options': 'nosniff',
          'Content-Security-Policy': "sandbox; default-src 'none'",
          'Cache-Control': 'private, no-store',
        })
        .send(Buffer.from(file.data));
    }),
  );

  if (deps.mailCaptureDir) router.get('/mail', capturedMailPage(kit, deps.mailCaptureDir));

  // An address a form posts to, opened again (a reload after the answer, a bookmark, the history):
  // the page the form is on, rather than a page that does not exist.
  const FORM_ONLY = [
    /^\/settings\/(calendar|new-address)$/,
    /^\/dashboard\/calendar\/feed$/,
    /^\/dashboard\/webhooks\/[^/]+\/(status|secret|remove|redeliver)$/,
    /^\/dashboard\/catalog\/([^/]+\/apply|applications\/[^/]+\/decision)$/,
    /^\/link\/fresh$/,
    /^\/p\/[^/]+\/(reviews\/[^/]+\/(outcome|reschedule|measures|comments)|commitments\/[^/]+\/(complete|extend|drop|comments)|evidence\/[^/]+\/(items|extend|waive|review|comments)|goals|activate|measures\/[^/]+\/change|members(\/[^/]+\/(role|handover|remove))?|inquiry\/[^/]+\/(phases\/[^/]+|lesson|lesson\/comments))$/,
  ];
  router.get(/.*/, (req, res, next) => {
    if (!FORM_ONLY.some((p) => p.test(req.path))) return next();
    const up =
      req.path === '/link/fresh'
        ? '/sign-in'
        : req.path.startsWith('/dashboard/catalog/')
          ? '/dashboard/catalog'
          : req.path.startsWith('/dashboard/webhooks/')
            ? '/dashboard/webhooks'
            : req.path.replace(/\/(members\/[^/]+\/[^/]+|phases\/[^/]+|[^/]+)$/, '');
    res.redirect(303, up);
  });

  // Refusals of the form layer (an expired form, a file too large) as pages.
  router.use(kit.formErrors);
  router.use((e: unknown, req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (e instanceof ValidationError || e instanceof NotFoundError) {
      kit.render(req, res, null, { title: e.title, status: e.status, body: <p>{e.message}</p> });
      return;
    }
    next(e);
  });
  return router;
}

export const WEB_ASSETS = path.resolve(ASSETS);

/**
 * What a person's browser is shown when something fails outside a page's own handling (no such
 * address, a dependency down, a bug): a page of the app with the problem and a way back, not JSON.
 */
export function problemPage(deps: WebDeps): PageRenderer {
  const kit = pageKit(deps);
  return (req, res, problem) => {
    kit.whoIs(req).then(
      (me) =>
        kit.render(req, res, me, {
          title: problem.title,
          status: problem.status,
          body: <Problem title={problem.title} detail={problem.detail ?? ''} />,
        }),
      () =>
        kit.render(req, res, null, {
          title: problem.title,
          status: problem.status,
          body: <Problem title={problem.title} detail={problem.detail ?? ''} />,
        }),
    );
  };
}

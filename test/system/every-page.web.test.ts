import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Router } from 'express';
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAdmin } from '../../core/people/identity.js';
import type { Mailer } from '../../lib/mail/mailer.js';
import { webRouter } from '../../web/app.js';
import { type ApiStack, useApiStack } from '../support/api-stack.js';
import { testSealer } from '../support/auth.js';
import { useBrowser } from '../support/browser.js';
import { closedCycle } from '../support/inquiry.js';
import { waitFor } from '../support/mailbox.js';
import { DAY } from '../support/time.js';
import { expectAccessible, signIn } from '../support/web.js';

/**
 * Every page, at a phone's width (390 px) and a desktop's (1280 px), in Chromium, filled with what
 * makes pages wide (a long name, an address without a break, a busy partnership): no page scrolls
 * sideways and none has a serious axe-core violation. A screenshot of each is left in
 * test-results/pages/ to look at. A GET route of the pages without a case here fails the test.
 */
const stack: ApiStack = useApiStack('tandem-every-page');
const SHOTS = path.resolve(import.meta.dirname, '../../test-results/pages');
const WIDTHS = [390, 1280];
const LONG_NAME = 'Riverside Unified School District and Northwestern Regional Educational Laboratory literacy partnership';
const LONG_EMAIL = 'coordinator.of.professional.learning.and.instruction@riverside-unified-school-district.example.org';

/** GET routes that answer a download or a redirect, not a page. */
const NOT_PAGES = new Set([
  '/favicon.ico',
  // A form's address opened again: a redirect to its page.
  '/.*/',
  '/dashboard/charts/:chart.svg',
  '/dashboard/reports/:report.csv',
  '/dashboard/calendar.ics',
  '/dashboard.csv',
  '/dashboard/overdue.csv',
  '/p/:partnershipId/evidence/:id/files/:fileId',
  '/p/:partnershipId/measures/:id/chart.svg',
  '/p/:partnershipId/summary.pdf',
  '/dashboard/cohorts/:id/lessons/publication.pdf',
]);

/** Every GET route of the pages' router, sub-routers included. */
function getRoutes(router: Router): string[] {
  const out: string[] = [];
  const walk = (stack: { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: unknown[] } }[]) => {
    for (const layer of stack) {
      if (layer.route?.methods.get) out.push(String(layer.route.path));
      else if (layer.handle?.stack) walk(layer.handle.stack as never);
    }
  };
  walk(router.stack as never);
  return [...new Set(out)];
}

describe('every page fits a phone and a desktop and passes axe-core', () => {
  const browser = useBrowser();
  let admin: BrowserContext;
  const ids = {
    busy: '',
    review: '',
    commitment: '',
    evidence: '',
    cycle: '',
    held: '',
    heldReview: '',
    cohort: '',
    token: '',
    measure: '',
    planned: '',
    closedCycle: '',
    lesson: '',
  };

  beforeAll(async () => {
    await createAdmin(stack.database, { kind: 'command_line', name: 'test' }, { email: 'ada@pages.example' });
    const cohort = await stack.call<{ id: string }>(stack.adminKey, 'POST', '/cohorts', {
      name: 'Valley literacy cohort of twenty-two districts',
    });
    ids.cohort = cohort.json.id;
    // A webhook whose address has no break in it, subscribed to every event, for the webhooks page.
    const hook = await stack.call(stack.adminKey, 'POST', '/webhooks', {
      url: `https://hooks.riverside-unified-school-district.example.org/tandem/${'partnership-events-'.repeat(6)}`,
      events: ['partnership.paused', 'partnership.resumed', 'commitment.overdue', 'commitment.escalated', 'review.missed'],
      description: LONG_NAME.slice(0, 100),
    });
    expect(hook.status, hook.text).toBe(201);
    const create = (name: string, inMs: number, over: object = {}) =>
      stack.call<{ id: string; firstReview: { id: string } }>(stack.adminKey, 'POST', '/partnerships', {
        name,
        district: { name: `${name} USD` },
        partner: { name: 'Northwestern Regional Educational Laboratory' },
        cohortId: ids.cohort,
        timeZone: 'America/Chicago',
        firstReviewAt: new Date(Date.now() + inMs).toISOString(),
        members: [
          { name: 'Ada Admin', email: 'ada@pages.example', role: 'district_lead' },
          { name: 'Bartholomew Featherstonehaugh-Cholmondeley', email: LONG_EMAIL, role: 'partner_lead' },
          { name: 'Cal Moss', email: 'cal@pages.example', role: 'participant', side: 'partner' },
        ],
        ...over,
      });
    const busy = await create(LONG_NAME, 3_600_000);
    expect(busy.status, busy.text).toBe(201);
    ids.busy = busy.json.id;
    ids.review = busy.json.firstReview.id;
    // In planning, its checklist half answered: the answer form, the other side's answers, the activation.
    const planned = await create('Planned literacy', 30 * DAY, { planning: true });
    expect(planned.status, planned.text).toBe(201);
    ids.planned = planned.json.id;
    const checklist = await stack.call<{ questions: { id: string }[] }>(stack.adminKey, 'GET', `/partnerships/${ids.planned}/planning`);
    const partnerLead = (await stack.database.db.person.findUniqueOrThrow({ where: { email: LONG_EMAIL } })).id;
    const answered = await stack.call(stack.adminKey, 'PUT', `/partnerships/${ids.planned}/planning`, {
      answers: checklist.json.questions.slice(0, 3).map((q) => ({ questionId: q.id, answer: 'Coaching capacity in every K-3 classroom' })),
      onBehalfOf: partnerLead,
    });
    expect(answered.status, answered.text).toBe(200);
    const held = await create('Held literacy', 3_600_000);
    ids.held = held.json.id;
    ids.heldReview = held.json.firstReview.id;
    for (const id of [ids.busy, ids.held]) {
      await stack.reviewPlanned(id);
    }
    const soon = (days: number) => new Date(Date.now() + days * DAY).toISOString();
    ids.commitment = (
      await stack.call<{ id: string }>(stack.adminKey, 'POST', `/partnerships/${ids.busy}/commitments`, {
        ownerEmail: 'ada@pages.example',
        description: `Share the walkthrough data with ${LONG_EMAIL} before the data day`,
        dueAt: soon(20),
      })
    ).json.id;
    ids.evidence = (
      await stack.call<{ id: string }>(stack.adminKey, 'POST', `/partnerships/${ids.busy}/evidence-requests`, {
        ownerEmail: 'ada@pages.example',
        description: 'Classroom walkthrough notes from every K-3 classroom',
        kinds: ['observation', 'student_achievement_data'],
        dueAt: soon(20),
      })
    ).json.id;
    const phases = Object.fromEntries(
      ['plan', 'do', 'study', 'act', 'reflect'].map((ph, i) => [ph, { ownerEmail: 'ada@pages.example', dueAt: soon(10 * (i + 1)) }]),
    );
    ids.cycle = (
      await stack.call<{ id: string }>(stack.adminKey, 'POST', `/partnerships/${ids.busy}/inquiry-cycles`, {
        question: 'Does peer observation change what teachers do in the daily literacy block?',
        phases,
      })
    ).json.id;
    const outcome = await stack.call(stack.adminKey, 'POST', `/partnerships/${ids.held}/reviews/${ids.heldReview}/outcome`, {
      outcome: 'held',
      notes: 'Looked at the walkthrough data together.',
      decisions: ['Keep the walkthroughs'],
    });
    expect(outcome.status, outcome.text).toBe(200);
    await waitFor(
      'the reflection to be asked for',
      async () => (await stack.database.db.reflection.count({ where: { reviewId: ids.heldReview } })) > 0,
    );
    // A goal whose measure has a value at the held review: its page, its chart, the review's form.
    const goal = await stack.call<{ measures: { id: string }[] }>(stack.adminKey, 'POST', `/partnerships/${ids.held}/goals`, {
      title: 'Every third grader reads at grade level by the end of the partnership',
      measures: [
        {
          name: 'Grade 3 students reading at grade level on the spring state assessment',
          unit: '%',
          baseline: 41,
          target: 60,
          targetDate: new Date(Date.now() + 400 * DAY).toISOString().slice(0, 10),
          direction: 'increase',
          source: 'state assessment',
        },
      ],
    });
    expect(goal.status, goal.text).toBe(201);
    ids.measure = goal.json.measures[0]?.id as string;
    const recorded = await stack.call(stack.adminKey, 'POST', `/partnerships/${ids.held}/reviews/${ids.heldReview}/measures`, {
      values: [{ measureId: ids.measure, value: 43.5, note: 'Winter screener' }],
    });
    expect(recorded.status, recorded.text).toBe(200);
    // A closed cycle of the held partnership, its lesson shared with the cohort.
    ids.closedCycle = await closedCycle(stack, ids.held, 'Do weekly data chats raise grade 3 fluency across every classroom?');
    const lesson = await stack.call<{ id: string }>(
      stack.adminKey,
      'PUT',
      `/partnerships/${ids.held}/inquiry-cycles/${ids.closedCycle}/lesson`,
      {
        title: `Data chats with ${LONG_EMAIL} raise fluency`,
        theme: 'Coaching and professional learning communities',
        tried: 'Ten-minute data chats every Monday in grade 3',
        saw: 'Oral reading fluency rose 6 words a minute in most classrooms',
        next: 'Move them to Tuesdays and add grade 2',
        share: true,
      },
    );
    expect(lesson.status, lesson.text).toBe(200);
    ids.lesson = lesson.json.id;
    // The cohort's catalog: a partner, and a pending application to it.
    const listed = await stack.call<{ id: string }>(stack.adminKey, 'POST', `/cohorts/${ids.cohort}/catalog`, {
      partner: { name: 'Northwestern Regional Educational Laboratory' },
      pathways: ['introductory', 'pilot', 'whole_school', 'systemic'],
      description: `Coaching, data teams and inquiry cycles; ask ${LONG_EMAIL}`,
    });
    expect(listed.status, listed.text).toBe(201);
    const districtId = (await stack.database.db.partnership.findUniqueOrThrow({ where: { id: ids.held } })).districtId;
    const applied = await stack.call(stack.adminKey, 'POST', `/catalog-entries/${listed.json.id}/applications`, {
      team: LONG_NAME.slice(0, 200),
      districtId,
      goals: 'Every third grader reads at grade level',
      pathway: 'whole_school',
      contactName: 'Bartholomew Featherstonehaugh-Cholmondeley',
      contactEmail: LONG_EMAIL,
    });
    expect(applied.status, applied.text).toBe(201);
    ids.token = (
      await stack.database.db.partnershipMember.findFirstOrThrow({ where: { partnershipId: ids.busy, role: 'participant' } })
    ).unsubscribeToken;
    admin = (await signIn(stack, browser, 'ada@pages.example')).context;
    await mkdir(SHOTS, { recursive: true });
  });

  /** Each page: where it is, and whether it is seen signed in (as the admin, who leads both partnerships). */
  const cases = (): Record<string, { url: string; signedIn: boolean }[]> => {
    const p = `/p/${ids.busy}`;
    const signedIn = (url: string) => ({ url, signedIn: true });
    return {
      '/': [signedIn('/')],
      '/settings': [signedIn('/settings')],
      '/settings/address': [signedIn('/settings/address?t=not-a-token')],
      '/dashboard': [signedIn('/dashboard'), signedIn(`/dashboard?cohort=${ids.cohort}`)],
      '/dashboard/stuck': [signedIn('/dashboard/stuck')],
      '/dashboard/cohorts': [signedIn('/dashboard/cohorts')],
      '/dashboard/cohorts/:id/inquiry': [signedIn(`/dashboard/cohorts/${ids.cohort}/inquiry`)],
      '/dashboard/cohorts/:id/check-ins': [signedIn(`/dashboard/cohorts/${ids.cohort}/check-ins`)],
      '/dashboard/cohorts/:id/lessons': [signedIn(`/dashboard/cohorts/${ids.cohort}/lessons`)],
      '/dashboard/cohorts/:id/lessons/publication': [signedIn(`/dashboard/cohorts/${ids.cohort}/lessons/publication?lesson=${ids.lesson}`)],
      '/dashboard/new': [signedIn('/dashboard/new')],
      '/dashboard/import': [signedIn(`/dashboard/import?cohort=${ids.cohort}`)],
      '/dashboard/school-calendar': [signedIn('/dashboard/school-calendar')],
      '/dashboard/webhooks': [signedIn('/dashboard/webhooks')],
      '/dashboard/planning-questions': [signedIn('/dashboard/planning-questions')],
      '/dashboard/catalog': [signedIn(`/dashboard/catalog?target=cohort:${ids.cohort}`)],
      '/dashboard/charts': [signedIn('/dashboard/charts')],
      '/dashboard/reports/:report': ['overdue-commitments', 'upcoming-reviews', 'missing-reflections', 'evidence-status'].map((r) =>
        signedIn(`/dashboard/reports/${r}`),
      ),
      '/dashboard/calendar': [signedIn(`/dashboard/calendar?cohort=${ids.cohort}`)],
      '/p/:partnershipId': [signedIn(p), signedIn(`/p/${ids.held}`)],
      '/p/:partnershipId/reviews/:reviewId': [signedIn(`${p}/reviews/${ids.review}`), signedIn(`/p/${ids.held}/reviews/${ids.heldReview}`)],
      '/p/:partnershipId/reviews/:reviewId/reflection': [signedIn(`/p/${ids.held}/reviews/${ids.heldReview}/reflection`)],
      '/p/:partnershipId/commitments/:id': [signedIn(`${p}/commitments/${ids.commitment}`)],
      '/p/:partnershipId/evidence/:id': [signedIn(`${p}/evidence/${ids.evidence}`)],
      '/p/:partnershipId/inquiry/new': [signedIn(`${p}/inquiry/new`)],
      '/p/:partnershipId/goals/new': [signedIn(`${p}/goals/new`)],
      '/p/:partnershipId/planning': [signedIn(`/p/${ids.planned}/planning`), signedIn(`${p}/planning`)],
      '/p/:partnershipId/summary': [signedIn(`/p/${ids.held}/summary`)],
      '/p/:partnershipId/measures/:id': [signedIn(`/p/${ids.held}/measures/${ids.measure}`)],
      '/p/:partnershipId/inquiry/:cycleId': [signedIn(`${p}/inquiry/${ids.cycle}`), signedIn(`/p/${ids.held}/inquiry/${ids.closedCycle}`)],
      '/mail': [signedIn('/mail')],
      '/sign-out': [signedIn('/sign-out')],
      '/sign-in': [{ url: '/sign-in', signedIn: false }],
      '/link': [{ url: '/link?t=not-a-token', signedIn: false }],
      '/unsubscribe/:token': [{ url: `/unsubscribe/${ids.token}`, signedIn: false }],
    };
  };
  /** Pages no route names: what a mistyped address shows. */
  const extras = (): Record<string, { url: string; signedIn: boolean }[]> => ({
    'not found': [
      { url: '/no-such-page', signedIn: true },
      { url: `/p/${ids.busy}/commitments/00000000-0000-4000-8000-000000000000`, signedIn: true },
    ],
  });

  it('has a case for every page, and every case is a page', () => {
    const router = webRouter({
      db: stack.database.db,
      temporal: stack.temporal,
      logger: { info() {}, warn() {}, error() {}, debug() {} } as never,
      taskQueue: 'tandem-every-page',
      auth: stack.auth,
      mailer: {} as Mailer,
      mailGiveUpAfterMs: 1,
      taskLinks: { linkTtlMs: 1, grantTtlMs: 1 },
      publicUrl: stack.publicUrl,
      secret: 'x'.repeat(32),
      sealer: testSealer,
      mailCaptureDir: '/tmp',
    });
    expect(
      getRoutes(router)
        .filter((r) => !NOT_PAGES.has(r))
        .sort(),
    ).toEqual(Object.keys(cases()).sort());
  });

  it('never scrolls sideways at 390 or 1280 px, and has no serious axe violation', async () => {
    const problems: string[] = [];
    const visited: string[] = [];
    for (const [route, pages] of Object.entries({ ...cases(), ...extras() })) {
      for (const { url, signedIn } of pages) {
        for (const width of WIDTHS) {
          const context = await browser.newContext({ viewport: { width, height: 900 }, isMobile: width < 500, hasTouch: width < 500 });
          if (signedIn) await context.addCookies(await admin.cookies());
          const page: Page = await context.newPage();
          const res = await page.goto(`${stack.publicUrl}${url}`);
          const status = res?.status() ?? 0;
          if (status >= 500) problems.push(`${url}: ${status}`);
          // Signed-in pages are shown to the admin, not the sign-in page.
          if (signedIn && new URL(page.url()).pathname === '/sign-in') problems.push(`${url}: sent to the sign-in page`);
          const wide = await page.evaluate(() => document.documentElement.scrollWidth);
          if (wide > width) {
            const culprits = await page.evaluate((w) => {
              const out: string[] = [];
              for (const el of Array.from(document.querySelectorAll('body *'))) {
                const r = el.getBoundingClientRect();
                if (r.right > w + 1 && r.width > 0)
                  out.push(`${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).split(' ')[0]}` : ''}`);
              }
              return out.slice(0, 5);
            }, width);
            problems.push(`${url} at ${width} px: ${wide} px wide (${culprits.join(', ')})`);
          }
          try {
            await expectAccessible(page);
          } catch (e) {
            problems.push(`${url} at ${width} px: ${(e as Error).message.split('\n')[0]}`);
          }
          const name = `${route.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '') || 'home'}-${pages.findIndex((x) => x.url === url)}`;
          await page.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`), fullPage: true });
          visited.push(`${url}@${width}`);
          await context.close();
        }
      }
    }
    expect(visited.length).toBeGreaterThanOrEqual(2 * Object.keys(cases()).length);
    expect(problems).toEqual([]);
  });
});

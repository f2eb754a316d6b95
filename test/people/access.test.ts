import { describe, expect, it } from 'vitest';
import { apiRoutes } from '../../api/app.js';
import type { AnyRoute } from '../../api/http/route.js';
import { type ApiStack, useApiStack } from '../support/api-stack.js';
import { waitFor } from '../support/mailbox.js';
import { HOUR } from '../support/time.js';

/**
 * Every route of the API, driven over HTTP on the real stack (PostgreSQL, Temporal dev server with
 * the real worker, SMTP capture): without a key, with the key of another organization or cohort,
 * with invalid input, and with valid input by a caller allowed to. The route table comes from the
 * registry, so a route added without a case here fails the first test.
 */

const stack: ApiStack = useApiStack('tandem-access');
const soon = (ms: number) => new Date(Date.now() + ms).toISOString();

interface Tenants {
  keys: Record<'admin' | 'coordA' | 'coordB' | 'd1' | 'd2' | 'p1' | 'p2', string>;
  org: Record<'d1' | 'd2' | 'p1' | 'p2', string>;
  cohort: Record<'a' | 'b', string>;
  x: {
    id: string;
    review: string;
    ana: string;
    anaToken: string;
    anaInvitation: string;
    c1: string;
    c2: string;
    e1: string;
    e2: string;
    e3: string;
  };
  y: { id: string };
  feedUrl?: string;
  revokable?: string;
  /** A partnership of d1's in planning, for the activation. */
  planned?: string;
  /** A member added to x, whose role changes, who hands over and is removed. */
  dee?: string;
  /** An inquiry cycle of x. */
  cycle?: string;
  /** Someone made staff of d1, then no longer. */
  gil?: string;
  /** d1's own sign-in provider. */
  provider?: string;
  /** A measure of success of x. */
  measure?: string;
  /** The lesson of x's cycle, shared with cohort A. */
  lesson?: string;
  /** d1's catalog entry, and an application to it. */
  entry?: string;
  application?: string;
  /** A question of the planned partnership's checklist. */
  question?: string;
  /** d1's webhook subscription, and its delivery of x's pause. */
  webhook?: string;
  delivery?: string;
}

async function ok<T>(res: Promise<{ status: number; json: unknown; text: string }>, status = 201): Promise<T> {
  const r = await res;
  expect(r.status, r.text).toBe(status);
  return r.json as T;
}

async function seed(s: ApiStack): Promise<Tenants> {
  const admin = s.adminKey;
  const post = <T = { id: string }>(p: string, body: unknown, key = admin) => ok<T>(s.call(key, 'POST', p, body));
  const org = {
    d1: (await post('/organizations', { kind: 'district', name: 'Lakeside USD', timeZone: 'America/Chicago' })).id,
    d2: (await post('/organizations', { kind: 'district', name: 'Hillcrest USD', timeZone: 'America/Denver' })).id,
    p1: (await post('/organizations', { kind: 'partner', name: 'Center for School Change', timeZone: 'America/Chicago' })).id,
    p2: (await post('/organizations', { kind: 'partner', name: 'Numeracy Partners', timeZone: 'America/Denver' })).id,
  };
  const cohort = { a: (await post('/cohorts', { name: 'Cohort A' })).id, b: (await post('/cohorts', { name: 'Cohort B' })).id };
  const key = async (name: string, role: string, scope: object) =>
    (await post<{ secret: string }>('/api-keys', { name, role, ...scope })).secret;
  const keys = {
    admin,
    coordA: await key('coord A', 'coordinator', { cohortId: cohort.a }),
    coordB: await key('coord B', 'coordinator', { cohortId: cohort.b }),
    d1: await key('Lakeside staff', 'district', { organizationId: org.d1 }),
    d2: await key('Hillcrest staff', 'district', { organizationId: org.d2 }),
    p1: await key('Center staff', 'partner', { organizationId: org.p1 }),
    p2: await key('Numeracy staff', 'partner', { organizationId: org.p2 }),
  };
  const partnership = (name: string, d: string, p: string, c: string, who: string) => ({
    name,
    district: { id: d },
    partner: { id: p },
    cohortId: c,
    timeZone: 'America/Chicago',
    firstReviewAt: soon(HOUR),
    reminderOffsets: ['P1D'],
    members: [
      { name: 'Ana Diaz', email: `ana@${who}.example`, role: 'district_lead' },
      { name: 'Ben Ode', email: `ben@${who}.example`, role: 'partner_lead' },
    ],
  });
  const x = await post<{ id: string; firstReview: { id: string } }>(
    '/partnerships',
    partnership('Lakeside literacy', org.d1, org.p1, cohort.a, 'x'),
  );
  const y = await post<{ id: string }>('/partnerships', partnership('Hillcrest math', org.d2, org.p2, cohort.b, 'y'));
  const commitment = (what: string) => ({ ownerEmail: 'ana@x.example', side: 'district', description: what, dueAt: soon(30 * 24 * HOUR) });
  const evidence = (what: string) => ({
    ownerEmail: 'ben@x.example',
    description: what,
    kinds: ['observation'],
    dueAt: soon(30 * 24 * HOUR),
  });
  const person = await ok<{ items: { id: string }[] }>(s.call(admin, 'GET', '/people?email=ana@x.example'), 200);
  // Each side's key acts for its own staff, granted explicitly (naming someone a member does not make them staff).
  await post(`/organizations/${org.d1}/staff`, { email: 'ana@x.example' }, keys.d1);
  await post(`/organizations/${org.p1}/staff`, { email: 'ben@x.example' }, keys.p1);
  const anaInvitation = await waitFor(
    'the invitation to Ana',
    async () =>
      (await s.database.db.emailOutbox.findFirst({
        where: { partnershipId: x.id, recipient: 'ana@x.example', template: 'review-invitation' },
      })) ?? undefined,
  );
  return {
    keys,
    org,
    cohort,
    x: {
      id: x.id,
      review: x.firstReview.id,
      ana: person.items[0]?.id as string,
      anaInvitation: anaInvitation.id,
      anaToken: (
        await s.database.db.partnershipMember.findUniqueOrThrow({
          where: { partnershipId_personId: { partnershipId: x.id, personId: person.items[0]?.id as string } },
        })
      ).unsubscribeToken,
      c1: (await post(`/partnerships/${x.id}/commitments`, commitment('Share the walkthrough tool'))).id,
      c2: (await post(`/partnerships/${x.id}/commitments`, commitment('Book the data room'))).id,
      e1: (await post(`/partnerships/${x.id}/evidence-requests`, evidence('Classroom observations'))).id,
      e2: (await post(`/partnerships/${x.id}/evidence-requests`, evidence('Survey results'))).id,
      e3: (await post(`/partnerships/${x.id}/evidence-requests`, evidence('Data team minutes'))).id,
    },
    y: { id: y.id },
  };
}

type Key = keyof Tenants['keys'];
interface Case {
  /** The insider who runs the valid request. */
  as: Key;
  path: (t: Tenants) => string;
  body?: (t: Tenants) => unknown;
  /** Expected status of the valid request. */
  status?: number;
  /** Runs before the valid request, e.g. to wait for what a workflow creates. */
  before?: (t: Tenants) => Promise<void>;
  after?: (t: Tenants, json: never) => void;
}

const future = (days: number) => soon(days * 24 * HOUR);
/** A school calendar's one event: winter break, every year. */
const WINTER_BREAK =
  'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Tandem tests//EN\r\nBEGIN:VEVENT\r\nUID:winter@test\r\nDTSTART;VALUE=DATE:20251222\r\nDTEND;VALUE=DATE:20260105\r\nRRULE:FREQ=YEARLY\r\nSUMMARY:Winter break\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';

/** A partnership of d1's in planning, made once, for its checklist and its activation. */
async function plannedPartnership(t: Tenants) {
  if (t.planned) return;
  const created = await stack.call<{ id: string }>(t.keys.d1, 'POST', '/partnerships', {
    name: 'Lakeside math (planned)',
    district: { id: t.org.d1 },
    partner: { id: t.org.p1 },
    timeZone: 'America/Chicago',
    firstReviewAt: future(40),
    planning: true,
    members: [{ name: 'Ana Diaz', email: 'ana@x.example', role: 'district_lead' }],
  });
  expect(created.status, created.text).toBe(201);
  t.planned = created.json.id;
}

// In the order the valid requests run: each leaves the state the next one needs.
const CASES: Record<string, Case> = {
  createWebhook: {
    as: 'd1',
    path: () => '/webhooks',
    body: (t) => ({ url: 'https://hooks.lakeside.example/tandem', events: ['partnership.paused'], organizationId: t.org.d1 }),
    after: (t, json: { id: string }) => {
      t.webhook = json.id;
    },
  },
  listWebhooks: { as: 'd1', path: () => '/webhooks' },
  getWebhook: { as: 'd1', path: (t) => `/webhooks/${t.webhook ?? t.x.id}` },
  changeWebhook: {
    as: 'd1',
    status: 200,
    path: (t) => `/webhooks/${t.webhook ?? t.x.id}`,
    body: () => ({ description: 'Data warehouse' }),
  },
  rotateWebhookSecret: { as: 'd1', status: 200, path: (t) => `/webhooks/${t.webhook ?? t.x.id}/rotate-secret` },
  listPartnerships: { as: 'p1', path: () => '/partnerships' },
  getPartnership: { as: 'p1', path: (t) => `/partnerships/${t.x.id}` },
  updatePartnership: { as: 'd1', status: 200, path: (t) => `/partnerships/${t.x.id}`, body: () => ({ name: 'Lakeside literacy 2027' }) },
  getPartnershipLiveState: { as: 'coordA', path: (t) => `/partnerships/${t.x.id}/live` },
  getPartnershipTimeline: { as: 'd1', path: (t) => `/partnerships/${t.x.id}/timeline` },
  listRepliesNotUnderstood: { as: 'd1', path: (t) => `/partnerships/${t.x.id}/replies` },
  previewSchedule: {
    as: 'p1',
    path: () => '/schedule-preview',
    status: 200,
    body: () => ({ timeZone: 'America/Chicago', recurrence: { rrule: 'FREQ=MONTHLY;INTERVAL=3', start: '2027-01-12T15:30' }, count: 2 }),
  },
  createCommitment: {
    as: 'p1',
    path: (t) => `/partnerships/${t.x.id}/commitments`,
    body: () => ({ ownerEmail: 'ben@x.example', side: 'partner', description: 'Send the coaching plan', dueAt: future(20) }),
  },
  listCommitments: { as: 'p1', path: (t) => `/partnerships/${t.x.id}/commitments` },
  getCommitment: { as: 'd1', path: (t) => `/commitments/${t.x.c1}` },
  extendCommitment: {
    as: 'd1',
    status: 200,
    path: (t) => `/commitments/${t.x.c1}/extend`,
    body: () => ({ dueAt: future(40), reason: 'Board meeting moved' }),
  },
  // Ana's: her district's key acts for her (a partner key may not: see the refusals).
  completeCommitment: { as: 'd1', status: 200, path: (t) => `/commitments/${t.x.c1}/complete`, body: () => ({ note: 'Shared' }) },
  dropCommitment: { as: 'coordA', status: 200, path: (t) => `/commitments/${t.x.c2}/drop`, body: () => ({ reason: 'Room not needed' }) },
  createEvidenceRequest: {
    as: 'd1',
    path: (t) => `/partnerships/${t.x.id}/evidence-requests`,
    body: () => ({ ownerEmail: 'ana@x.example', description: 'Student work samples', kinds: ['other'], dueAt: future(20) }),
  },
  listEvidenceRequests: { as: 'p1', path: (t) => `/partnerships/${t.x.id}/evidence-requests` },
  getEvidenceRequest: { as: 'p1', path: (t) => `/evidence-requests/${t.x.e1}` },
  submitEvidenceItem: {
    as: 'p1',
    path: (t) => `/evidence-requests/${t.x.e1}/items`,
    // Ben owns it, and is the partner's staff: its key submits for him.
    body: () => ({ kind: 'observation', link: 'https://drive.example/obs-1' }),
  },
  // Ben submitted it: the district's key accepts it for Ana, a lead on the other side (its owner may not).
  reviewEvidenceRequest: {
    as: 'd1',
    status: 200,
    path: (t) => `/evidence-requests/${t.x.e1}/review`,
    body: (t) => ({ verdict: 'accepted', comment: 'Clear notes', onBehalfOf: t.x.ana }),
  },
  waiveEvidenceRequest: {
    as: 'd1',
    status: 200,
    path: (t) => `/evidence-requests/${t.x.e2}/waive`,
    // Only a lead waives, and a district key speaks for its own lead.
    body: (t) => ({ reason: 'Covered by state data', onBehalfOf: t.x.ana }),
  },
  extendEvidenceRequest: {
    as: 'p1',
    status: 200,
    path: (t) => `/evidence-requests/${t.x.e3}/extend`,
    body: () => ({ dueAt: future(45), reason: 'Survey window moved' }),
  },
  startInquiryCycle: {
    as: 'd1',
    path: (t) => `/partnerships/${t.x.id}/inquiry-cycles`,
    body: () => ({
      question: 'Do weekly data chats raise fluency?',
      phases: Object.fromEntries(
        ['plan', 'do', 'study', 'act', 'reflect'].map((ph, i) => [
          ph,
          { ownerEmail: i % 2 ? 'ben@x.example' : 'ana@x.example', dueAt: future(10 * (i + 1)) },
        ]),
      ),
    }),
    after: (t, json: { id: string }) => {
      t.cycle = json.id;
    },
  },
  listInquiryCycles: { as: 'p1', path: (t) => `/partnerships/${t.x.id}/inquiry-cycles` },
  getInquiryCycle: { as: 'p1', path: (t) => `/partnerships/${t.x.id}/inquiry-cycles/${t.cycle ?? t.x.id}` },
  // Ana's phase: her district's key records it for her.
  recordInquiryPhase: {
    as: 'd1',
    status: 200,
    path: (t) => `/partnerships/${t.x.id}/inquiry-cycles/${t.cycle ?? t.x.id}/phases/plan`,
    body: () => ({ changeIdea: 'Ten-minute chats', prediction: 'Fluency up', measures: ['ORF'] }),
  },
  // The cycle closed (each phase recorded for its owner), Ana's district key writes its lesson for her and shares it.
  writeInquiryLesson: {
    as: 'd1',
    status: 200,
    path: (t) => `/partnerships/${t.x.id}/inquiry-cycles/${t.cycle ?? t.x.id}/lesson`,
    body: () => ({
      title: 'Data chats raise fluency',
      theme: 'coaching',
      tried: 'Ten-minute chats',
      saw: 'Fluency up',
      next: 'Keep them',
      share: true,
    }),
    before: async (t) => {
      const cycle = `/partnerships/${t.x.id}/inquiry-cycles/${t.cycle}`;
      for (const [phase, body] of [
        ['do', { notes: 'Held them' }],
        ['study', { findings: 'Up 6 words a minute' }],
        ['act', { decision: 'adopt' }],
        ['reflect', { worked: 'The routine', didNot: 'Mondays', improve: 'Tuesdays' }],
      ] as const) {
        const res = await stack.call(t.keys.admin, 'POST', `${cycle}/phases/${phase}`, body);
        expect(res.status, `${phase}: ${res.text}`).toBe(200);
      }
    },
    after: (t, json: { id: string }) => {
      t.lesson = json.id;
    },
  },
  getInquiryLesson: { as: 'p1', path: (t) => `/partnerships/${t.x.id}/inquiry-cycles/${t.cycle ?? t.x.id}/lesson` },
  listCohortLessons: { as: 'p1', path: (t) => `/cohorts/${t.cohort.a}/lessons` },
  exportLessonsPdf: { as: 'coordA', path: (t) => `/cohorts/${t.cohort.a}/lessons/publication.pdf?lessons=${t.lesson ?? t.x.id}` },
  startCohortInquiryCycles: {
    as: 'coordA',
    path: (t) => `/cohorts/${t.cohort.a}/inquiry-cycles`,
    body: () => ({
      question: 'Does peer observation change practice?',
      phases: Object.fromEntries(
        ['plan', 'do', 'study', 'act', 'reflect'].map((ph, i) => [ph, { ownerRole: 'district_lead', dueAt: future(10 * (i + 1)) }]),
      ),
    }),
  },
  getCohortCalendar: { as: 'coordA', path: (t) => `/cohorts/${t.cohort.a}/calendar.ics` },
  createCohortCalendarFeed: { as: 'coordA', path: (t) => `/cohorts/${t.cohort.a}/calendar-feeds` },
  importDistrictSchoolCalendar: {
    as: 'd1',
    status: 200,
    path: (t) => `/organizations/${t.org.d1}/school-calendar`,
    body: () => ({ name: 'Lakeside.ics', ics: WINTER_BREAK }),
  },
  importCohortSchoolCalendar: {
    as: 'coordA',
    status: 200,
    path: (t) => `/cohorts/${t.cohort.a}/school-calendar`,
    body: () => ({ name: 'Cohort A.ics', ics: WINTER_BREAK }),
  },
  importPartnerships: {
    as: 'coordA',
    status: 200,
    path: (t) => `/cohorts/${t.cohort.a}/partnership-imports`,
    body: () => ({
      csv: 'name,district,partner,time_zone,recurrence_rule,recurrence_start,district_lead\nLakeside art,Lakeside USD,Center for School Change,America/Chicago,FREQ=MONTHLY;INTERVAL=3,2026-01-13T15:30,Ana Diaz <ana@x.example>\n',
      dryRun: true,
    }),
  },
  rescheduleReview: {
    as: 'p1',
    status: 200,
    path: (t) => `/partnerships/${t.x.id}/reviews/${t.x.review}/reschedule`,
    body: () => ({ at: soon(2 * HOUR) }),
  },
  recordReviewOutcome: {
    as: 'd1',
    status: 200,
    path: (t) => `/partnerships/${t.x.id}/reviews/${t.x.review}/outcome`,
    body: () => ({ outcome: 'held', notes: 'Good quarter', decisions: ['Keep walkthroughs'], commitments: [], evidenceRequests: [] }),
  },
  listReflections: {
    as: 'p1',
    status: 200,
    path: (t) => `/reviews/${t.x.review}/reflections`,
    before: async (t) => {
      await waitFor(
        'the reflection prompts',
        async () => (await stack.database.db.reflection.count({ where: { reviewId: t.x.review } })) === 2,
      );
    },
  },
  getPartnershipCheckIns: { as: 'p1', path: (t) => `/partnerships/${t.x.id}/check-ins` },
  getCohortCheckIns: { as: 'coordA', path: (t) => `/cohorts/${t.cohort.a}/check-ins` },
  listGoals: { as: 'p1', path: (t) => `/partnerships/${t.x.id}/goals` },
  addComment: {
    as: 'p1',
    path: (t) => `/partnerships/${t.x.id}/comments`,
    body: (t) => ({ on: 'commitment', subjectId: t.x.c1, body: '@Ana Diaz the tool is in the shared drive' }),
  },
  listComments: { as: 'd1', path: (t) => `/partnerships/${t.x.id}/comments?on=commitment&subjectId=${t.x.c1}` },
  getBoardSummary: { as: 'coordA', path: (t) => `/partnerships/${t.x.id}/summary` },
  exportBoardSummaryPdf: { as: 'd1', path: (t) => `/partnerships/${t.x.id}/summary.pdf` },
  createGoal: {
    as: 'd1',
    path: (t) => `/partnerships/${t.x.id}/goals`,
    body: () => ({
      title: 'Every third grader reads at grade level',
      measures: [
        {
          name: 'Grade 3 at grade level',
          unit: '%',
          baseline: 41,
          target: 60,
          targetDate: future(400).slice(0, 10),
          direction: 'increase',
          source: 'state assessment',
        },
      ],
    }),
    after: (t, json: { measures: { id: string }[] }) => {
      t.measure = json.measures[0]?.id;
    },
  },
  changeMeasure: {
    as: 'p1',
    status: 200,
    path: (t) => `/measures/${t.measure}`,
    body: () => ({ target: 65, reason: 'The board raised the bar' }),
  },
  // At the review held above, by the district's key.
  recordMeasureValues: {
    as: 'd1',
    status: 200,
    path: (t) => `/partnerships/${t.x.id}/reviews/${t.x.review}/measures`,
    body: (t) => ({ values: [{ measureId: t.measure, value: 44, note: 'Spring screener' }] }),
  },
  reportOverdueCommitments: { as: 'coordA', path: () => '/reports/overdue-commitments' },
  reportUpcomingReviews: { as: 'd1', path: () => '/reports/upcoming-reviews' },
  reportPartnershipHealth: { as: 'coordA', path: () => '/reports/partnership-health' },
  exportOverdueCommitments: { as: 'd1', path: () => '/reports/overdue-commitments.csv' },
  reportMissingReflections: { as: 'p1', path: () => '/reports/missing-reflections' },
  reportEvidenceStatus: { as: 'd1', path: () => '/reports/evidence-status' },
  getPartnershipCalendar: { as: 'p1', path: (t) => `/partnerships/${t.x.id}/calendar.ics` },
  getPersonCalendar: { as: 'd1', path: (t) => `/people/${t.x.ana}/calendar.ics` },
  createPartnershipCalendarFeed: {
    as: 'p1',
    path: (t) => `/partnerships/${t.x.id}/calendar-feeds`,
    after: (t, json: { url: string }) => {
      t.feedUrl = json.url;
    },
  },
  createPersonCalendarFeed: { as: 'd1', path: (t) => `/people/${t.x.ana}/calendar-feeds` },
  getSubscribedCalendar: { as: 'p1', status: 200, path: (t) => new URL(t.feedUrl ?? 'http://x/calendar/none').pathname },
  createOrganization: {
    as: 'admin',
    path: () => '/organizations',
    body: () => ({ kind: 'coordinating_body', name: 'State TA Center', timeZone: 'America/New_York' }),
  },
  listOrganizations: { as: 'p1', path: () => '/organizations' },
  getOrganization: { as: 'p1', path: (t) => `/organizations/${t.org.d1}` },
  listPeople: { as: 'p1', path: () => '/people' },
  getPerson: { as: 'p1', path: (t) => `/people/${t.x.ana}` },
  createCohort: { as: 'admin', path: () => '/cohorts', body: () => ({ name: 'Cohort C' }) },
  listCohorts: { as: 'd1', path: () => '/cohorts' },
  getCohort: { as: 'coordA', path: (t) => `/cohorts/${t.cohort.a}` },
  addCohortCoordinator: {
    as: 'admin',
    path: (t) => `/cohorts/${t.cohort.a}/coordinators`,
    body: () => ({ name: 'Cora Lin', email: 'cora@state-ta.example' }),
  },
  createApiKey: {
    as: 'admin',
    path: () => '/api-keys',
    body: (t) => ({ name: 'spare', role: 'partner', organizationId: t.org.p1 }),
    after: (t, json: { id: string }) => {
      t.revokable = json.id;
    },
  },
  listApiKeys: { as: 'admin', path: () => '/api-keys' },
  revokeApiKey: { as: 'admin', status: 200, path: (t) => `/api-keys/${t.revokable ?? t.x.id}/revoke` },
  listCapturedMail: { as: 'admin', path: () => '/mail' },
  grantStaff: {
    as: 'd1',
    path: (t) => `/organizations/${t.org.d1}/staff`,
    body: () => ({ email: 'gil@lakeside.example', name: 'Gil Ray', isAdmin: false }),
  },
  listStaff: { as: 'd1', path: (t) => `/organizations/${t.org.d1}/staff` },
  revokeStaff: {
    as: 'd1',
    status: 204,
    path: (t) => `/organizations/${t.org.d1}/staff/${t.gil ?? t.x.ana}/revoke`,
    before: async (t) => {
      t.gil = (await stack.database.db.person.findUniqueOrThrow({ where: { email: 'gil@lakeside.example' } })).id;
    },
  },
  registerIdentityProvider: {
    as: 'd1',
    path: (t) => `/organizations/${t.org.d1}/identity-providers`,
    body: () => ({
      name: 'Lakeside account',
      issuer: 'https://login.lakeside.example',
      clientId: 'tandem',
      clientSecret: 's'.repeat(32),
      domains: ['lakeside.example'],
    }),
    after: (t, json: { id: string }) => {
      t.provider = json.id;
    },
  },
  listIdentityProviders: { as: 'd1', path: (t) => `/organizations/${t.org.d1}/identity-providers` },
  approveIdentityProvider: { as: 'admin', status: 200, path: (t) => `/identity-providers/${t.provider ?? t.x.id}/approve` },
  removeIdentityProvider: { as: 'd1', status: 204, path: (t) => `/identity-providers/${t.provider ?? t.x.id}/remove` },
  listAuditEvents: { as: 'admin', path: () => '/audit-events' },
  listStuckWork: { as: 'admin', path: () => '/stuck-work' },
  updateMailSettings: {
    as: 'admin',
    status: 200,
    path: (t) => `/people/${t.x.ana}/mail-settings`,
    body: () => ({ timeZone: 'America/New_York', delivery: 'daily_digest', digestHour: 8, quietHours: { from: '21:00', until: '07:00' } }),
  },
  listOutbox: { as: 'd1', path: () => '/outbox' },
  retryOutboxMessage: {
    as: 'd1',
    status: 200,
    path: (t) => `/outbox/${t.x.anaInvitation}/retry`,
    // As a refused send leaves it.
    before: async (t) => {
      await stack.database.db.emailOutbox.update({
        where: { id: t.x.anaInvitation },
        data: { status: 'failed', lastError: '421 try later' },
      });
    },
  },
  setMemberPreferences: {
    as: 'd1',
    status: 200,
    path: (t) => `/partnerships/${t.x.id}/members/${t.x.ana}`,
    body: () => ({ notifications: 'essential' }),
  },
  changeRecurrence: {
    as: 'coordA',
    status: 200,
    path: (t) => `/partnerships/${t.x.id}/recurrence`,
    body: () => ({ recurrence: { rrule: 'FREQ=MONTHLY;INTERVAL=3;BYDAY=TU;BYSETPOS=2', start: '2027-01-12T15:30' } }),
  },
  addMember: {
    as: 'd1',
    path: (t) => `/partnerships/${t.x.id}/members`,
    body: () => ({ name: 'Dee Park', email: 'dee@x.example', role: 'participant' }),
    after: (t, json: { personId: string }) => {
      t.dee = json.personId;
    },
  },
  changeMemberRole: {
    as: 'd1',
    status: 200,
    path: (t) => `/partnerships/${t.x.id}/members/${t.dee ?? t.x.ana}/role`,
    body: () => ({ role: 'district_lead' }),
  },
  handOverWork: {
    as: 'coordA',
    status: 200,
    path: (t) => `/partnerships/${t.x.id}/members/${t.dee ?? t.x.ana}/handover`,
    body: (t) => ({ to: t.x.ana }),
  },
  removeMember: { as: 'd1', status: 200, path: (t) => `/partnerships/${t.x.id}/members/${t.dee ?? t.x.ana}/remove` },
  getPlanningChecklist: { as: 'p1', path: (t) => `/partnerships/${t.planned ?? t.x.id}/planning` },
  answerPlanningChecklist: {
    as: 'd1',
    status: 200,
    path: (t) => `/partnerships/${t.planned ?? t.x.id}/planning`,
    body: (t) => ({ answers: [{ questionId: t.question ?? t.x.id, answer: 'Third-grade reading' }], onBehalfOf: t.x.ana }),
    before: async (t) => {
      await plannedPartnership(t);
      const checklist = await stack.call<{ questions: { id: string }[] }>(t.keys.d1, 'GET', `/partnerships/${t.planned}/planning`);
      t.question = checklist.json.questions[0]?.id;
    },
  },
  getDistrictPlanningTemplate: { as: 'd1', path: (t) => `/organizations/${t.org.d1}/planning-template` },
  setDistrictPlanningTemplate: {
    as: 'd1',
    status: 200,
    path: (t) => `/organizations/${t.org.d1}/planning-template`,
    body: () => ({ questions: [{ topic: 'needs', text: 'Which schools asked for this?' }] }),
  },
  getCohortPlanningTemplate: { as: 'coordA', path: (t) => `/cohorts/${t.cohort.a}/planning-template` },
  setCohortPlanningTemplate: {
    as: 'coordA',
    status: 200,
    path: (t) => `/cohorts/${t.cohort.a}/planning-template`,
    body: () => ({ questions: [{ topic: 'assessment', text: 'Which inquiry cycle comes first?' }] }),
  },
  addDistrictCatalogEntry: {
    as: 'd1',
    path: (t) => `/organizations/${t.org.d1}/catalog`,
    body: () => ({ partner: { name: 'Reading Partners' }, pathways: ['pilot'], description: 'Tutoring in K-3 reading' }),
    after: (t, json: { id: string }) => {
      t.entry = json.id;
    },
  },
  addCohortCatalogEntry: {
    as: 'coordA',
    path: (t) => `/cohorts/${t.cohort.a}/catalog`,
    body: () => ({ partner: { name: 'Math Partners' }, pathways: ['introductory', 'pilot'], description: 'Math coaching' }),
  },
  getDistrictCatalog: { as: 'd1', path: (t) => `/organizations/${t.org.d1}/catalog` },
  getCohortCatalog: { as: 'p1', path: (t) => `/cohorts/${t.cohort.a}/catalog` },
  applyToCatalogEntry: {
    as: 'd1',
    path: (t) => `/catalog-entries/${t.entry ?? t.x.id}/applications`,
    body: () => ({
      team: 'Lincoln Elementary',
      goals: 'Reading at grade level',
      pathway: 'pilot',
      contactName: 'Lena Ruiz',
      contactEmail: 'lena@x.example',
    }),
    after: (t, json: { id: string }) => {
      t.application = json.id;
    },
  },
  listCatalogApplications: { as: 'd1', path: (t) => `/catalog-entries/${t.entry ?? t.x.id}/applications` },
  decideCatalogApplication: {
    as: 'd1',
    status: 200,
    path: (t) => `/catalog-applications/${t.application ?? t.x.id}/decision`,
    body: () => ({ decision: 'declined', note: 'One pilot this year' }),
  },
  activatePartnership: {
    as: 'd1',
    status: 200,
    path: (t) => `/partnerships/${t.planned ?? t.x.id}/activate`,
    // Its checklist is mostly unanswered: the district goes ahead anyway.
    body: () => ({ despiteUnanswered: true }),
    before: plannedPartnership,
  },
  pausePartnership: { as: 'd1', status: 200, path: (t) => `/partnerships/${t.x.id}/pause`, body: () => ({ reason: 'Strike' }) },
  resumePartnership: { as: 'd1', status: 200, path: (t) => `/partnerships/${t.x.id}/resume` },
  listWebhookDeliveries: { as: 'd1', path: (t) => `/webhooks/${t.webhook ?? t.x.id}/deliveries` },
  redeliverWebhook: {
    as: 'd1',
    status: 202,
    path: (t) => `/webhooks/${t.webhook ?? t.x.id}/deliveries/${t.delivery ?? t.x.id}/redeliver`,
    before: async (t) => {
      // The pause above was written with a delivery to d1's subscription.
      const d = await stack.database.db.webhookDelivery.findFirst({ where: { subscriptionId: t.webhook ?? t.x.id } });
      t.delivery = d?.id;
    },
  },
  removeWebhook: { as: 'd1', status: 204, path: (t) => `/webhooks/${t.webhook ?? t.x.id}/remove` },
  endPartnership: { as: 'admin', status: 200, path: (t) => `/partnerships/${t.x.id}/end`, body: () => ({ outcome: 'completed' }) },
  createPartnership: {
    as: 'd1',
    path: () => '/partnerships',
    body: (t) => ({
      name: 'Lakeside science',
      district: { id: t.org.d1 },
      partner: { id: t.org.p1 },
      timeZone: 'America/Chicago',
      firstReviewAt: future(30),
      members: [{ name: 'Ana Diaz', email: 'ana@x.example', role: 'district_lead' }],
    }),
  },
};

/** The body with a NUL character in its first string, which PostgreSQL could not store. */
function withNul(body: unknown): unknown {
  let done = false;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string' && !done) {
      done = true;
      return `${v}\u0000`;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(body);
}

const routes = apiRoutes({ mailCaptureDir: '/unused' });
const byOperation = new Map(routes.map((r) => [r.operationId, r]));
const route = (op: string) => byOperation.get(op) as AnyRoute;
const defaultStatus = (op: string) => (route(op).method === 'post' ? 201 : 200);

async function snapshot() {
  const db = stack.database.db;
  const [tables, statuses] = await Promise.all([
    Promise.all([
      db.organization.count(),
      db.person.count(),
      db.cohort.count(),
      db.partnership.count(),
      db.partnershipMember.count(),
      db.review.count(),
      db.commitment.count(),
      db.commitmentExtension.count(),
      db.evidenceRequest.count(),
      db.evidenceItem.count(),
      db.evidenceExtension.count(),
      db.reflection.count({ where: { submittedAt: { not: null } } }),
      db.partnershipEvent.count({ where: { actor: 'api_key' } }),
      db.apiKey.count({ where: { revokedAt: null } }),
      db.calendarFeed.count(),
      db.inquiryCycle.count(),
      db.inquiryPhase.count({ where: { recordedAt: { not: null } } }),
      db.schoolCalendar.count(),
      db.cohortCoordinator.count(),
      db.staff.count(),
      db.auditEvent.count(),
      db.identityProvider.count(),
      db.goal.count(),
      db.measure.count(),
      db.measureValue.count(),
      db.comment.count(),
      db.planningTemplate.count(),
      db.planningAnswer.count(),
      db.lesson.count(),
      db.catalogEntry.count(),
      db.catalogApplication.count({ where: { status: 'pending' } }),
    ]),
    Promise.all([
      db.partnership.findMany({ select: { id: true, status: true }, orderBy: { id: 'asc' } }),
      db.commitment.findMany({ select: { id: true, status: true, dueAt: true }, orderBy: { id: 'asc' } }),
      db.evidenceRequest.findMany({ select: { id: true, status: true, dueAt: true }, orderBy: { id: 'asc' } }),
      db.review.findMany({ select: { id: true, status: true, scheduledAt: true }, orderBy: { id: 'asc' } }),
      db.partnershipMember.findMany({ select: { personId: true, notifications: true }, orderBy: { personId: 'asc' } }),
      db.person.findMany({
        select: { id: true, email: true, timeZone: true, mailDelivery: true, digestHour: true, quietFrom: true, quietUntil: true },
        orderBy: { id: 'asc' },
      }),
    ]),
  ]);
  return { tables, statuses };
}

describe('the API, route by route, on the real stack', () => {
  let t: Tenants;

  it('has a case for every route, and every case is a route', async () => {
    expect(Object.keys(CASES).sort()).toEqual(routes.map((r) => r.operationId).sort());
    t = await seed(stack);
  });

  it('refuses every route but the public ones without a valid key (401), and writes nothing', async () => {
    const before = await snapshot();
    for (const [op, c] of Object.entries(CASES)) {
      const r = route(op);
      if (r.access === 'public') continue;
      for (const key of [null, 'tdm_not-a-key', t.keys.admin.slice(0, -2)]) {
        const res = await stack.call(key, r.method.toUpperCase(), c.path(t), c.body?.(t));
        expect(res.status, `${op} with key ${key}`).toBe(401);
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }
    }
    expect(await snapshot()).toEqual(before);
  });

  it("never shows or changes another organization's or cohort's data, and writes nothing", async () => {
    const xIds = [t.x.id, t.x.review, t.x.c1, t.x.c2, t.x.e1, t.x.e2, t.x.e3, t.org.d1, t.org.p1, t.cohort.a, 'ana@x.example'];
    const before = await snapshot();
    for (const [op, c] of Object.entries(CASES)) {
      const r = route(op);
      if (r.access === 'public') continue;
      for (const outsider of ['d2', 'p2', 'coordB'] as const) {
        const res = await stack.call(t.keys[outsider], r.method.toUpperCase(), c.path(t), c.body?.(t));
        const what = `${op} by ${outsider}: ${res.status} ${res.text.slice(0, 200)}`;
        // 400 where the request names something out of scope in its body (an organization id).
        if (res.status === 404 || res.status === 403 || res.status === 400) {
          expect(res.headers.get('content-type'), what).toMatch(/^application\/problem\+json/);
          continue;
        }
        // What an outsider may call (its own lists, reports, a schedule preview) holds nothing of X.
        expect(res.status, what).toBeLessThan(300);
        for (const id of xIds) expect(res.text, what).not.toContain(id);
      }
    }
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a role what it may not do, even inside its own partnership', async () => {
    const before = await snapshot();
    for (const [op, c] of Object.entries(CASES)) {
      const r = route(op);
      const denied: Key[] = r.access === 'admin' ? ['coordA', 'd1', 'p1'] : r.access === 'manager' ? ['p1'] : [];
      for (const key of denied) {
        const res = await stack.call(t.keys[key], r.method.toUpperCase(), c.path(t), c.body?.(t));
        expect(res.status, `${op} by ${key}: ${res.text}`).toBe(403);
      }
    }
    // The cohort's check-ins across its partnerships are its coordinators': a district or partner of
    // the cohort sees the cohort, not them.
    for (const key of ['d1', 'p1'] as const) {
      expect((await stack.call(t.keys[key], 'GET', `/cohorts/${t.cohort.a}/check-ins`)).status).toBe(403);
    }
    // Inside their scope, but not theirs to decide: a district cannot put its partnership in a cohort.
    const intoCohort = { ...(CASES.createPartnership?.body?.(t) as object), cohortId: t.cohort.a };
    expect((await stack.call(t.keys.d1, 'POST', '/partnerships', intoCohort)).status).toBe(403);
    const otherDistrict = { ...(CASES.createPartnership?.body?.(t) as object), district: { id: t.org.d2 } };
    // Moving a partnership between cohorts is an admin's decision.
    for (const key of ['coordA', 'd1'] as const) {
      expect((await stack.call(t.keys[key], 'PATCH', `/partnerships/${t.x.id}`, { cohortId: null })).status).toBe(403);
    }
    const refused = await stack.call<{ errors: { path: string }[] }>(t.keys.coordA, 'POST', '/partnerships', otherDistrict);
    expect([refused.status, refused.json.errors.map((e) => e.path)]).toEqual([400, ['district.id']]);
    // A key acts for its own organization's people only: a partner key cannot complete the district
    // lead's commitment, submit evidence as her, or change her address; a district key cannot waive for the partner's lead.
    const asPartner: [string, string, unknown][] = [
      ['POST', `/commitments/${t.x.c1}/complete`, { note: 'Done' }],
      ['POST', `/commitments/${t.x.c1}/complete`, { note: 'Done', onBehalfOf: t.x.ana }],
      ['POST', `/evidence-requests/${t.x.e1}/items`, { kind: 'observation', text: 'Notes', onBehalfOf: t.x.ana }],
      ['PATCH', `/people/${t.x.ana}/mail-settings`, { email: 'someone.else@p1.example' }],
    ];
    for (const [method, path, body] of asPartner) {
      const res = await stack.call<{ detail: string }>(t.keys.p1, method, path, body);
      expect(res.status, `${method} ${path} by p1: ${res.text}`).toBe(403);
    }
    // Unnamed, a key acts for the owner: Ben, who is the partner's, not the district's.
    const forBen = await stack.call<{ detail: string }>(t.keys.d1, 'POST', `/evidence-requests/${t.x.e2}/waive`, { reason: 'Not needed' });
    expect([forBen.status, forBen.json.detail]).toEqual([
      403,
      expect.stringMatching(/acts only for its own organization's people, and Ben Ode/),
    ]);
    // A person's settings are theirs (or the installation admin's): not their own district's key's, nor a coordinator's.
    for (const key of ['d1', 'coordA'] as const) {
      expect((await stack.call(t.keys[key], 'PATCH', `/people/${t.x.ana}/mail-settings`, { digestHour: 9 })).status).toBe(403);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('answers invalid input with field-level problem details (400), and writes nothing', async () => {
    const before = await snapshot();
    let tried = 0;
    for (const [op, c] of Object.entries(CASES)) {
      const r = route(op);
      const path = c.path(t);
      const variants: { path: string; body?: unknown }[] = [];
      if (r.body) variants.push({ path, body: { ...(c.body?.(t) as object), unexpected: true } }, { path, body: [] });
      // A body without a string (a flag) cannot carry a NUL.
      const nul = c.body && withNul(c.body(t));
      if (c.body && JSON.stringify(nul) !== JSON.stringify(c.body(t))) variants.push({ path, body: nul });
      if (r.params && /[0-9a-f-]{36}/.test(path)) variants.push({ path: path.replace(/[0-9a-f-]{36}/, 'not-a-uuid'), body: c.body?.(t) });
      if (r.params && path.startsWith('/calendar/')) variants.push({ path: '/calendar/guess.ics' });
      if (r.query) variants.push({ path: `${path}?limit=0`, body: c.body?.(t) }, { path: `${path}?cursor=forged`, body: c.body?.(t) });
      if (r.method === 'post' && r.access !== 'public') {
        const res = await stack.call(t.keys.admin, 'POST', path, c.body?.(t), { 'idempotency-key': 'x'.repeat(300) });
        expect(res.status, `${op} with a bad Idempotency-Key`).toBe(400);
        tried++;
      }
      for (const v of variants) {
        const res = await stack.call<{ status: number; errors: { path: string; message: string }[] }>(
          t.keys.admin,
          r.method.toUpperCase(),
          v.path,
          v.body,
        );
        const what = `${op} ${v.path} ${JSON.stringify(v.body)?.slice(0, 100)}: ${res.text}`;
        expect(res.status, what).toBe(400);
        expect(res.headers.get('content-type'), what).toMatch(/^application\/problem\+json/);
        expect(res.json.errors?.length, what).toBeGreaterThan(0);
        expect(res.text, what).not.toMatch(/\bat .*\.(ts|js):\d+/);
        tried++;
      }
    }
    expect(tried).toBeGreaterThan(90);
    expect(await snapshot()).toEqual(before);
  });

  it('carries out every route for a caller allowed to, in a partnership lifecycle', async () => {
    for (const [op, c] of Object.entries(CASES)) {
      await c.before?.(t);
      const r = route(op);
      const res = await stack.call(t.keys[c.as], r.method.toUpperCase(), c.path(t), c.body?.(t));
      expect(res.status, `${op} by ${c.as}: ${res.text.slice(0, 300)}`).toBe(c.status ?? defaultStatus(op));
      c.after?.(t, res.json as never);
    }
    const db = stack.database.db;
    expect((await db.partnership.findUniqueOrThrow({ where: { id: t.x.id } })).status).toBe('completed');
    expect((await db.commitment.findUniqueOrThrow({ where: { id: t.x.c1 } })).status).toBe('done');
    expect((await db.commitment.findUniqueOrThrow({ where: { id: t.x.c2 } })).status).toBe('dropped');
    expect((await db.evidenceRequest.findUniqueOrThrow({ where: { id: t.x.e1 } })).status).toBe('submitted');
    expect((await db.evidenceRequest.findUniqueOrThrow({ where: { id: t.x.e2 } })).status).toBe('waived');
    expect((await db.review.findUniqueOrThrow({ where: { id: t.x.review } })).status).toBe('held');
    expect(await db.partnership.count({ where: { name: 'Lakeside science', districtId: t.org.d1, cohortId: null } })).toBe(1);
    expect((await db.partnership.findUniqueOrThrow({ where: { id: t.x.id } })).name).toBe('Lakeside literacy 2027');
    // The partnership Y of the other tenants went on untouched.
    expect((await db.partnership.findUniqueOrThrow({ where: { id: t.y.id } })).status).toBe('active');
  });
});

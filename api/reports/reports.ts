import { z } from 'zod';
import { HEALTH_LABELS, partnershipHealth, RULES } from '../../core/reports/health.js';
import { overdueCommitmentsCsv } from '../../core/reports/overdue-csv.js';
import {
  covered,
  evidenceQuery,
  evidenceStatusReport,
  localTime,
  missingQuery,
  missingReflectionsReport,
  overdueCsvQuery,
  overdueItem,
  overdueQuery,
  overdueReport,
  overdueWhere,
  partnershipFilters,
  upcomingQuery,
  upcomingReviewsReport,
} from '../../core/reports/reports.js';
import { pageSchema } from '../../lib/pagination.js';
import { route, tagged } from '../http/route.js';

/** The reports over HTTP: each route translates its query to core/reports/reports.ts and back. */
export const reportRoutes = tagged('Reports', [
  route('GET /reports/overdue-commitments.csv', {
    operationId: 'exportOverdueCommitments',
    summary: 'Export overdue commitments as CSV',
    description:
      'The overdue report with the same filters, every matching row, most overdue first, as text/csv streamed in batches (an export of 100,000 rows is never held in memory). Due times are local to each partnership.',
    access: 'member',
    query: overdueCsvQuery,
    responses: { 200: { description: 'CSV, one row per overdue commitment, with a header' } },
    async handle({ query, caller, deps }) {
      const now = Date.now();
      return {
        contentType: 'text/csv; charset=utf-8',
        filename: 'overdue-commitments.csv',
        body: await overdueCommitmentsCsv(deps.db, overdueWhere(caller, query, now), now),
      };
    },
  }),
  route('GET /reports/overdue-commitments', {
    operationId: 'reportOverdueCommitments',
    summary: 'Report overdue commitments',
    description:
      'Open commitments past their due time, across every partnership the caller can see, most overdue first. `total` counts all that match the filters, not just this page.',
    access: 'member',
    query: overdueQuery,
    responses: {
      200: {
        description: 'One page of overdue commitments',
        schema: pageSchema(overdueItem).extend({ total: z.number().int(), asOf: z.string() }),
      },
    },
    handle: async ({ query, caller, deps }) => ({ body: await overdueReport(deps.db, caller, query) }),
  }),
  route('GET /reports/partnership-health', {
    operationId: 'reportPartnershipHealth',
    summary: 'Report the health of every partnership',
    description: `Every partnership the caller can see, by name, with its next review (and the answers to its invitation from calendar apps, nextReviewAttendance), last outcome, missed reviews, overdue work, reflection completion and health (${Object.keys(HEALTH_LABELS).join(', ')}; null when not running), with the rules that decided it. Read from the database only. Rules: at risk when ${RULES.at_risk.join(' or ')}; needs attention when ${RULES.needs_attention.join(' or ')}.`,
    access: 'member',
    query: partnershipFilters.extend({ health: z.enum(['on_track', 'needs_attention', 'at_risk']).optional() }).strict(),
    responses: { 200: { description: 'Every matching partnership, by name' } },
    async handle({ query, caller, deps }) {
      const now = new Date();
      const rows = await partnershipHealth(deps.db, covered(caller, query), now);
      return {
        body: {
          asOf: now.toISOString(),
          items: rows
            .filter((r) => !query.health || r.health === query.health)
            .map((r) => ({
              ...r,
              nextReviewAt: r.nextReviewAt?.toISOString() ?? null,
              nextReviewLocal: r.nextReviewAt ? localTime(r.nextReviewAt, r.timeZone) : null,
              lastOutcome: r.lastOutcome && { status: r.lastOutcome.status, at: r.lastOutcome.at.toISOString() },
            })),
        },
      };
    },
  }),
  route('GET /reports/upcoming-reviews', {
    operationId: 'reportUpcomingReviews',
    summary: 'Report upcoming reviews',
    description: 'Scheduled reviews in the next `days` days, soonest first, each also in its partnership’s local time.',
    access: 'member',
    query: upcomingQuery,
    responses: { 200: { description: 'One page of reviews' } },
    handle: async ({ query, caller, deps }) => ({ body: await upcomingReviewsReport(deps.db, caller, query) }),
  }),
  route('GET /reports/missing-reflections', {
    operationId: 'reportMissingReflections',
    summary: 'Report missing reflections',
    description: 'Members asked to reflect on a held review who have not answered; by default only where the window is still open.',
    access: 'member',
    query: missingQuery,
    responses: { 200: { description: 'One page of missing reflections' } },
    handle: async ({ query, caller, deps }) => ({ body: await missingReflectionsReport(deps.db, caller, query) }),
  }),
  route('GET /reports/evidence-status', {
    operationId: 'reportEvidenceStatus',
    summary: 'Report evidence status',
    description: 'How many evidence requests are open, overdue, submitted and waived, and one page of them (filter by status).',
    access: 'member',
    query: evidenceQuery,
    responses: { 200: { description: 'Counts by status and one page of requests' } },
    handle: async ({ query, caller, deps }) => ({ body: await evidenceStatusReport(deps.db, caller, query) }),
  }),
]);

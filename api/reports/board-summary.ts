import { type BoardSummary, boardSummaryFor } from '../../core/reports/board-summary.js';
import { boardSummaryPdf } from '../../core/reports/board-summary-pdf.js';
import { route, tagged } from '../http/route.js';

const summaryJson = (s: BoardSummary) => ({
  ...s,
  asOf: s.asOf.toISOString(),
  goals: s.goals.map((g) => ({ ...g, measures: g.measures.map((m) => ({ ...m, targetAt: m.targetAt.toISOString() })) })),
  overdue: s.overdue.map((o) => ({ ...o, dueAt: o.dueAt.toISOString() })),
});

const ABOUT =
  "For the partnership's executive sponsor, its leads and those who manage it: health, goals and measures with their values by review and standing, commitments kept on time by side, evidence by kind (asked for, submitted, accepted), each side's overall check-in rating by review (from 3 answers of a side), the themes of the last held review's reflections, and what is overdue.";

/** A partnership's one-page summary for the board, as figures and as a PDF. */
export const boardSummaryRoutes = tagged('Reports', [
  route('GET /partnerships/:id/summary', {
    operationId: 'getBoardSummary',
    summary: "Get a partnership's summary for the board",
    description: ABOUT,
    access: 'member',
    errors: [403, 404],
    responses: { 200: { description: 'The summary' } },
    handle: async ({ params, caller, deps }) => ({ body: summaryJson(await boardSummaryFor(deps.db, caller, params.id)) }),
  }),
  route('GET /partnerships/:id/summary.pdf', {
    operationId: 'exportBoardSummaryPdf',
    summary: "Export a partnership's summary for the board as PDF",
    description: `${ABOUT} The same as a PDF of about one page, with its fonts embedded.`,
    access: 'member',
    errors: [403, 404],
    responses: { 200: { description: 'The summary as a PDF', contentType: 'application/pdf' } },
    async handle({ params, caller, deps }) {
      const summary = await boardSummaryFor(deps.db, caller, params.id);
      return { contentType: 'application/pdf', filename: 'summary.pdf', body: await boardSummaryPdf(summary) };
    },
  }),
]);

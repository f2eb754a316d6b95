import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import { DateTime } from 'luxon';
import type { ComponentChildren } from 'preact';
import type { z } from 'zod';
import { pages } from '../../core/pages.js';
import type { PersonPrincipal } from '../../core/people/principal.js';
import { cohortScope } from '../../core/people/rights.js';
import { personZone } from '../../core/people/zone.js';
import { overdueCommitmentsCsv } from '../../core/reports/overdue-csv.js';
import {
  evidenceQuery,
  evidenceStatusReport,
  missingQuery,
  missingReflectionsReport,
  overdueQuery,
  overdueReport,
  overdueWhere,
  upcomingQuery,
  upcomingReviewsReport,
} from '../../core/reports/reports.js';
import { csvWriter } from '../../lib/csv.js';
import type { Db } from '../../lib/db/client.js';
import { NotFoundError, ValidationError } from '../../lib/errors.js';
import { Status } from '../http/format.js';
import { CohortSelect, Crumb } from '../http/layout.js';
import type { Outcome, PageContext } from '../http/pages.js';

/**
 * The reports as pages and as CSV, with the API's filters under the API's names (cohortId, days,
 * window, status): the same functions answer both (api/reports/reports.ts). A page shows 100 rows
 * and a link to the next; the CSV reads page after page, so it never holds more than one.
 */

// biome-ignore lint/suspicious/noExplicitAny: each report's items have their own shape.
type Item = any;

interface Column {
  label: string;
  cell: (item: Item, zone: string) => ComponentChildren;
  csv: (item: Item, zone: string) => string | number;
}

interface Report {
  title: string;
  intro: string;
  query: z.ZodType;
  load: (
    db: Db,
    me: PersonPrincipal,
    query: Item,
  ) => Promise<{ items: Item[]; nextCursor: string | null; counts?: Record<string, number> }>;
  columns: Column[];
  /** The report's own filter, besides the cohort. */
  filter?: { name: string; label: string; options: { value: string; label: string }[] };
}

const when = (iso: string, zone: string) => DateTime.fromISO(iso, { zone }).toFormat('ccc, LLL d, yyyy, h:mm a');
const day = (iso: string, zone: string) => DateTime.fromISO(iso, { zone }).toFormat('yyyy-LL-dd');
const partnership: Column = {
  label: 'Partnership',
  cell: (i) => <a href={pages.partnership(i.partnership.id)}>{i.partnership.name}</a>,
  csv: (i) => i.partnership.name,
};

export const REPORTS: Record<string, Report> = {
  'overdue-commitments': {
    title: 'Overdue commitments',
    intro: 'Open commitments past their due time, most overdue first.',
    query: overdueQuery,
    load: overdueReport,
    columns: [
      partnership,
      {
        label: 'Commitment',
        cell: (i) => <a href={pages.commitment(i.partnership.id, i.id)}>{i.description}</a>,
        csv: (i) => i.description,
      },
      { label: 'Owner', cell: (i) => i.owner.name, csv: (i) => i.owner.name },
      { label: 'Due', cell: (i, z) => when(i.dueAt, z), csv: (i, z) => day(i.dueAt, z) },
      { label: 'Days overdue', cell: (i) => i.daysOverdue, csv: (i) => i.daysOverdue },
    ],
  },
  'upcoming-reviews': {
    title: 'Upcoming reviews',
    intro: 'Reviews scheduled in the coming days, soonest first.',
    query: upcomingQuery,
    load: upcomingReviewsReport,
    columns: [
      partnership,
      { label: 'Review', cell: (i) => <a href={pages.review(i.partnership.id, i.id)}>#{i.sequence}</a>, csv: (i) => i.sequence },
      { label: 'When', cell: (i, z) => when(i.scheduledAt, z), csv: (i) => i.local },
    ],
    filter: {
      name: 'days',
      label: 'Within',
      options: [
        { value: '30', label: '30 days' },
        { value: '90', label: '90 days' },
        { value: '365', label: 'a year' },
      ],
    },
  },
  'missing-reflections': {
    title: 'Missing reflections',
    intro: 'Members asked to reflect on a held review who have not answered.',
    query: missingQuery,
    load: missingReflectionsReport,
    columns: [
      partnership,
      { label: 'Who', cell: (i) => i.person.name, csv: (i) => i.person.name },
      {
        label: 'Review',
        cell: (i) => <a href={pages.review(i.partnership.id, i.review.id)}>#{i.review.sequence}</a>,
        csv: (i) => i.review.sequence,
      },
      { label: 'Asked', cell: (i, z) => when(i.promptedAt, z), csv: (i, z) => day(i.promptedAt, z) },
      {
        label: 'Window',
        cell: (i) => (i.review.windowClosedAt ? 'closed' : 'open'),
        csv: (i) => (i.review.windowClosedAt ? 'closed' : 'open'),
      },
    ],
    filter: {
      name: 'window',
      label: 'Reflection window',
      options: [
        { value: 'open', label: 'Still open' },
        { value: 'closed', label: 'Closed' },
        { value: 'all', label: 'Either' },
      ],
    },
  },
  'evidence-status': {
    title: 'Evidence',
    intro: 'Evidence requests and where each stands.',
    query: evidenceQuery,
    load: evidenceStatusReport,
    columns: [
      partnership,
      { label: 'Request', cell: (i) => <a href={pages.evidence(i.partnership.id, i.id)}>{i.description}</a>, csv: (i) => i.description },
      { label: 'Asked of', cell: (i) => i.owner.name, csv: (i) => i.owner.name },
      { label: 'Status', cell: (i) => <Status value={i.status} />, csv: (i) => i.status },
      { label: 'Due', cell: (i, z) => when(i.dueAt, z), csv: (i, z) => day(i.dueAt, z) },
      { label: 'Items', cell: (i) => i.items, csv: (i) => i.items },
    ],
    filter: {
      name: 'status',
      label: 'Status',
      options: [
        { value: '', label: 'Any' },
        { value: 'open', label: 'Open' },
        { value: 'overdue', label: 'Overdue' },
        { value: 'submitted', label: 'Submitted' },
        { value: 'waived', label: 'Waived' },
      ],
    },
  },
};

function reportOf(req: Request) {
  const name = String(req.params.report ?? '').replace(/\.csv$/, '');
  const report = REPORTS[name];
  if (!report) throw new NotFoundError(`There is no report called ${name}`);
  // Empty fields of the GET form mean "any".
  const raw = Object.fromEntries(Object.entries(req.query).filter(([, v]) => typeof v === 'string' && v !== ''));
  const parsed = report.query.safeParse(raw);
  if (!parsed.success) {
    throw new ValidationError(
      `The report's filters are invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return { name, report, raw: raw as Record<string, string>, query: parsed.data as Item };
}

export async function reportPage(ctx: PageContext): Promise<Outcome> {
  const { name, report, raw, query } = reportOf(ctx.req);
  const zone = await personZone(ctx.deps.db, ctx.me.id);
  const result = await report.load(ctx.deps.db, ctx.me, { ...query, limit: 100 });
  const cohorts = await ctx.deps.db.cohort.findMany({
    where: cohortScope(ctx.me),
    select: { id: true, name: true },
    orderBy: { name: 'asc' },
  });
  const filters = Object.fromEntries(Object.entries(raw).filter(([k]) => k !== 'cursor'));
  const next = result.nextCursor ? `/dashboard/reports/${name}?${new URLSearchParams({ ...filters, cursor: result.nextCursor })}` : null;
  return {
    title: report.title,
    body: (
      <>
        <Crumb href="/dashboard">Dashboard</Crumb>
        <h1>{report.title}</h1>
        <p>
          {report.intro} Times in {zone}.
        </p>
        <form method="get" action={`/dashboard/reports/${name}`} class="filters" aria-label={`Filter: ${report.title}`}>
          <CohortSelect name="cohortId" cohorts={cohorts} value={raw.cohortId} anyLabel="All I can see" />
          {report.filter && (
            <div class="field">
              <label for={`f-${report.filter.name}`}>{report.filter.label}</label>
              <select id={`f-${report.filter.name}`} name={report.filter.name}>
                {report.filter.options.map((o) => (
                  <option
                    key={o.value}
                    value={o.value}
                    selected={o.value === (raw[report.filter?.name ?? ''] ?? String(query[report.filter?.name ?? ''] ?? ''))}
                  >
                    {o.label}
                  </option>
                ))}
              </select>
            </div>
          )}
          <button type="submit">Show</button>
        </form>
        {result.counts && (
          <p class="summary">
            {Object.entries(result.counts)
              .map(([status, n]) => `${n} ${status}`)
              .join(', ')}
          </p>
        )}
        <p>
          <a href={`/dashboard/reports/${name}.csv?${new URLSearchParams(filters)}`}>Download all as CSV</a>
        </p>
        {result.items.length === 0 ? (
          <p class="empty">Nothing to report.</p>
        ) : (
          <table class="dashboard">
            <caption>{report.title}</caption>
            <thead>
              <tr>
                {report.columns.map((c) => (
                  <th key={c.label} scope="col">
                    {c.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {result.items.map((item) => (
                <tr key={item.id}>
                  {report.columns.map((c) => (
                    <td key={c.label}>{c.cell(item, zone)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {next && (
          <p>
            <a href={next}>Next 100</a>
          </p>
        )}
      </>
    ),
  };
}

/** Every row of the report as CSV, page after page: one page in memory at a time. */
export async function reportCsv(db: Db, me: PersonPrincipal, req: Request, res: Response): Promise<void> {
  const { name, report, query } = reportOf(req);
  const zone = await personZone(db, me.id);
  let source: Readable;
  if (name === 'overdue-commitments') {
    // The large one has its own batched reader, in the API's column order.
    const now = Date.now();
    source = await overdueCommitmentsCsv(db, overdueWhere(me, query, now), now);
  } else {
    const first = await report.load(db, me, { ...query, limit: 200, cursor: undefined });
    async function* rows() {
      let page = first;
      for (;;) {
        for (const item of page.items) yield report.columns.map((c) => c.csv(item, zone));
        if (!page.nextCursor) return;
        page = await report.load(db, me, { ...query, limit: 200, cursor: page.nextCursor });
      }
    }
    source = Readable.from(rows()).pipe(csvWriter(report.columns.map((c) => c.label.toLowerCase().replace(/ /g, '_'))));
  }
  res.set({
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="tandem-${name}.csv"`,
    'Cache-Control': 'private, no-store',
  });
  await pipeline(source, res);
}

import type { Request, Response } from 'express';
import type { TopLevelSpec } from 'vega-lite';
import { z } from 'zod';
import type { PersonPrincipal } from '../../core/people/principal.js';
import { cohortScope, partnershipScope } from '../../core/people/rights.js';
import { personZone } from '../../core/people/zone.js';
import { type Trends, trends } from '../../core/reports/trends.js';
import type { Db } from '../../lib/db/client.js';
import { NotFoundError } from '../../lib/errors.js';
import { drawSvg, IMAGE_WIDTH, sendSvg } from '../http/chart.js';
import { Figures } from '../http/figures.js';
import { CohortSelect, Crumb } from '../http/layout.js';
import type { Outcome, PageContext } from '../http/pages.js';

/**
 * Charts where people would rather look than read, drawn on the server by Vega-Lite as SVG images
 * (no script in the page, nothing from a CDN), each with its figures in a table beside it for
 * screen readers and for anyone who wants the numbers.
 */

const filters = z.object({ cohortId: z.uuid().optional().catch(undefined) });

async function figures(db: Db, me: PersonPrincipal, req: Request): Promise<{ data: Trends; cohortId?: string | undefined }> {
  const { cohortId } = filters.parse(req.query);
  const where = { AND: [partnershipScope(me), cohortId ? { cohortId } : {}] };
  return { data: await trends(db, where, await personZone(db, me.id)), cohortId };
}

const percent = (n: number, of: number) => (of ? `${Math.round((100 * n) / of)}%` : '—');

const CHARTS = {
  reflections: {
    title: 'Reflection completion per quarter',
    empty: (d: Trends) => d.reflections.length === 0,
    nothing: 'No review has been held yet, so nobody has been asked to reflect.',
    alt: 'Bar chart: the share of members who reflected after each held review, per quarter.',
    spec: (d: Trends): TopLevelSpec => ({
      data: { values: d.reflections.map((r) => ({ quarter: r.quarter, rate: r.asked ? r.answered / r.asked : 0 })) },
      mark: { type: 'bar', color: '#1f5fa8' },
      encoding: {
        x: { field: 'quarter', type: 'ordinal', title: 'Quarter', axis: { labelAngle: 0 } },
        y: { field: 'rate', type: 'quantitative', title: 'Reflected', axis: { format: '%' }, scale: { domain: [0, 1] } },
      },
    }),
  },
  overdue: {
    title: 'Overdue commitments, week by week',
    empty: (d: Trends) => d.overdue.length === 0,
    nothing: 'There are no partnerships to chart.',
    alt: 'Line chart: how many commitments were overdue at the end of each of the last twelve weeks.',
    spec: (d: Trends): TopLevelSpec => ({
      data: { values: d.overdue.map((w, i) => ({ ...w, order: i })) },
      mark: { type: 'line', point: true, color: '#a8321f' },
      encoding: {
        x: { field: 'week', type: 'ordinal', sort: { field: 'order' }, title: 'Week ending', axis: { labelAngle: -45 } },
        // Whole commitments on the axis, and a scale that stands even when every week is 0.
        y: {
          field: 'overdue',
          type: 'quantitative',
          title: 'Overdue',
          axis: { tickMinStep: 1, format: 'd' },
          scale: { domain: [0, Math.max(1, ...d.overdue.map((w) => w.overdue))] },
        },
      },
    }),
  },
  'on-time': {
    title: 'Commitments done on time, by side',
    empty: (d: Trends) => d.onTime.length === 0,
    nothing: 'No commitment has been completed yet.',
    alt: 'Bar chart: of the commitments each side completed, the share done by their due date.',
    spec: (d: Trends): TopLevelSpec => ({
      data: { values: d.onTime.map((s) => ({ side: s.side, rate: s.done ? s.onTime / s.done : 0 })) },
      mark: { type: 'bar', color: '#2f7d32' },
      encoding: {
        x: { field: 'side', type: 'nominal', title: 'Side', axis: { labelAngle: 0 } },
        y: { field: 'rate', type: 'quantitative', title: 'On time', axis: { format: '%' }, scale: { domain: [0, 1] } },
      },
    }),
  },
} as const;

type ChartName = keyof typeof CHARTS;

/** A dashboard chart drawn as SVG from its figures. */
export function renderChart(name: ChartName, data: Trends): Promise<string> {
  return drawSvg(CHARTS[name].spec(data), CHARTS[name].alt);
}

/** One chart as an SVG image. */
export async function chartSvg(db: Db, me: PersonPrincipal, req: Request, res: Response): Promise<void> {
  const name = String(req.params.chart ?? '') as ChartName;
  const chart = CHARTS[name];
  if (!chart) throw new NotFoundError(`There is no chart called ${name}`);
  const { data } = await figures(db, me, req);
  sendSvg(res, await renderChart(name, data));
}

export async function chartsPage(ctx: PageContext): Promise<Outcome> {
  const { data, cohortId } = await figures(ctx.deps.db, ctx.me, ctx.req);
  const cohorts = await ctx.deps.db.cohort.findMany({
    where: cohortScope(ctx.me),
    select: { id: true, name: true },
    orderBy: { name: 'asc' },
  });
  const src = (name: ChartName) => `/dashboard/charts/${name}.svg${cohortId ? `?cohortId=${cohortId}` : ''}`;
  const Chart = ({ name, children }: { name: ChartName; children: preact.ComponentChildren }) => (
    <section aria-labelledby={`chart-${name}`}>
      <h2 id={`chart-${name}`}>{CHARTS[name].title}</h2>
      {CHARTS[name].empty(data) ? (
        <p class="empty">{CHARTS[name].nothing}</p>
      ) : (
        <>
          <img src={src(name)} alt={CHARTS[name].alt} class="chart" width={IMAGE_WIDTH} />
          {children}
        </>
      )}
    </section>
  );
  return {
    title: 'Charts',
    body: (
      <>
        <Crumb href="/dashboard">Dashboard</Crumb>
        <h1>Charts</h1>
        <form method="get" action="/dashboard/charts" class="filters" aria-label="Choose the cohort">
          <CohortSelect name="cohortId" cohorts={cohorts} value={cohortId} anyLabel="All I can see" />
          <button type="submit">Show</button>
        </form>
        <Chart name="reflections">
          <Figures
            caption="Reflections after held reviews"
            columns={['Quarter', 'Asked', 'Reflected']}
            rows={data.reflections.map((r) => [r.quarter, r.asked, `${r.answered} (${percent(r.answered, r.asked)})`])}
          />
        </Chart>
        <Chart name="overdue">
          <Figures
            caption="Overdue at the end of each week"
            columns={['Week ending', 'Overdue']}
            rows={data.overdue.map((w) => [w.week, w.overdue])}
          />
        </Chart>
        <Chart name="on-time">
          <Figures
            caption="Commitments done, and done by their due date"
            columns={['Side', 'Done', 'On time']}
            rows={data.onTime.map((s) => [s.side, s.done, `${s.onTime} (${percent(s.onTime, s.done)})`])}
          />
        </Chart>
      </>
    ),
  };
}

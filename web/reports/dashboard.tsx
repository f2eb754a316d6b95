import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { pages } from '../../core/pages.js';
import type { PersonPrincipal } from '../../core/people/principal.js';
import { mayStart, partnershipScope } from '../../core/people/rights.js';
import { chosenZone } from '../../core/people/zone.js';
import { HEALTH_LABELS, type Health, type PartnershipHealth, partnershipHealth, RULES } from '../../core/reports/health.js';
import { overdueCommitmentsCsv } from '../../core/reports/overdue-csv.js';
import { overdueWhere } from '../../core/reports/reports.js';
import { csvWriter } from '../../lib/csv.js';
import type { Db } from '../../lib/db/client.js';
import { localTime, Status, When } from '../http/format.js';
import { CohortSelect } from '../http/layout.js';
import type { Outcome, PageContext } from '../http/pages.js';

/**
 * The dashboard: every partnership the reader may see (a coordinator's cohort, an organization
 * admin's, a lead's own), its health at a glance by the rules of core/reports/health.ts, filtered
 * and sorted by a plain GET form, and the same rows as CSV.
 */

const HEALTHS = ['at_risk', 'needs_attention', 'on_track'] as const;
const SORTS = { health: 'Health (worst first)', name: 'Name', next: 'Next review' } as const;

const filters = z.object({
  cohort: z.uuid().optional().catch(undefined),
  health: z.enum(HEALTHS).optional().catch(undefined),
  sort: z.enum(['health', 'name', 'next']).catch('health'),
});
type Filters = z.infer<typeof filters>;

const severity = (h: Health | null) => (h === null ? 3 : HEALTHS.indexOf(h));

async function rowsFor(db: Db, me: PersonPrincipal, f: Filters): Promise<PartnershipHealth[]> {
  const rows = await partnershipHealth(db, { AND: [partnershipScope(me), f.cohort ? { cohortId: f.cohort } : {}] }, new Date());
  const chosen = f.health ? rows.filter((r) => r.health === f.health) : rows;
  const byName = (a: PartnershipHealth, b: PartnershipHealth) => a.name.localeCompare(b.name);
  const next = (r: PartnershipHealth) => r.nextReviewAt?.getTime() ?? Number.POSITIVE_INFINITY;
  return chosen.sort(
    f.sort === 'name'
      ? byName
      : f.sort === 'next'
        ? (a, b) => next(a) - next(b) || byName(a, b)
        : (a, b) => severity(a.health) - severity(b.health) || byName(a, b),
  );
}

const query = (req: Request) => filters.parse(req.query);

export async function dashboardPage({ req, deps, me }: PageContext): Promise<Outcome> {
  const f = query(req);
  const readerZone = await chosenZone(deps.db, me.id);
  const rows = await rowsFor(deps.db, me, f);
  const cohorts = await deps.db.cohort.findMany({
    where: { partnerships: { some: partnershipScope(me) } },
    select: { id: true, name: true },
    orderBy: { name: 'asc' },
  });
  const counts = HEALTHS.map((h) => [h, rows.filter((r) => r.health === h).length] as const);
  const may = await mayStart(deps.db, me);
  const cohortQuery = f.cohort ? `?${new URLSearchParams({ cohort: f.cohort })}` : '';
  const csv = `/dashboard.csv?${new URLSearchParams(Object.entries(f).filter((e): e is [string, string] => typeof e[1] === 'string'))}`;
  return {
    title: 'Dashboard',
    body: (
      <>
        <h1>Dashboard</h1>
        <Filters f={f} cohorts={cohorts} />
        <nav aria-label="Start" class="actions">
          {may.partnership && <a href="/dashboard/new">New partnership</a>}
          {may.import && <a href={`/dashboard/import${cohortQuery}`}>Create partnerships from a file</a>}
          {may.ownSettings && <a href="/dashboard/school-calendar">School calendars</a>}
          {may.ownSettings && <a href="/dashboard/planning-questions">Planning questions</a>}
          {(me.isAdmin || me.coordinates.length > 0 || me.staff.some((s) => s.isAdmin)) && <a href="/dashboard/webhooks">Webhooks</a>}
          <a href="/dashboard/cohorts">Cohorts</a>
          <a href="/dashboard/catalog">Catalog of partners</a>
          <a href={`/dashboard/calendar${cohortQuery}`}>Calendar of reviews</a>
          {f.cohort && cohorts.some((c) => c.id === f.cohort) && <a href={pages.cohortLessons(f.cohort)}>What the cohort learned</a>}
        </nav>
        <p class="summary">
          {rows.length} partnership{rows.length === 1 ? '' : 's'}:{' '}
          {counts.map(([h, n], i) => (
            <span key={h}>
              {i > 0 && ', '}
              {n} {HEALTH_LABELS[h].toLowerCase()}
            </span>
          ))}
          .
        </p>
        <nav aria-label="Reports and downloads" class="actions">
          <a href="/dashboard/reports/overdue-commitments">Overdue commitments</a>
          <a href="/dashboard/reports/upcoming-reviews">Upcoming reviews</a>
          <a href="/dashboard/reports/missing-reflections">Missing reflections</a>
          <a href="/dashboard/reports/evidence-status">Evidence</a>
          <a href={`/dashboard/charts${f.cohort ? `?cohortId=${f.cohort}` : ''}`}>Charts</a>
          <a href={csv}>This list as CSV</a>
          <a href={`/dashboard/overdue.csv${cohortQuery}`}>Overdue commitments as CSV</a>
          {me.isAdmin && <a href="/dashboard/stuck">Stuck work</a>}
        </nav>
        {rows.length === 0 ? (
          <p class="empty">
            {f.cohort || f.health
              ? 'No partnership matches.'
              : may.partnership
                ? 'No partnership yet: start with “New partnership”, or create a cohort’s partnerships from a file.'
                : 'No partnership yet: you see those you belong to, and those of cohorts you coordinate.'}
          </p>
        ) : (
          <HealthTable rows={rows} readerZone={readerZone} />
        )}
        <HowHealthIsJudged />
      </>
    ),
  };
}

function Filters({ f, cohorts }: { f: ReturnType<typeof query>; cohorts: { id: string; name: string }[] }) {
  return (
    <form method="get" action="/dashboard" class="filters" aria-label="Filter the partnerships">
      <CohortSelect name="cohort" cohorts={cohorts} value={f.cohort} anyLabel="All I can see" />
      <div class="field">
        <label for="f-health">Health</label>
        <select id="f-health" name="health">
          <option value="">Any</option>
          {HEALTHS.map((h) => (
            <option key={h} value={h} selected={h === f.health}>
              {HEALTH_LABELS[h]}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="f-sort">Sort by</label>
        <select id="f-sort" name="sort">
          {Object.entries(SORTS).map(([value, label]) => (
            <option key={value} value={value} selected={value === f.sort}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <button type="submit">Show</button>
    </form>
  );
}

/** One row a partnership; on a phone each cell is labelled (data-label) since the header row is hidden. */
function HealthTable({ rows, readerZone }: { rows: Awaited<ReturnType<typeof rowsFor>>; readerZone: string | null }) {
  return (
    <div class="table-scroll">
      <table class="dashboard">
        <caption>Partnerships, times in {readerZone ?? 'each partnership’s zone'}</caption>
        <thead>
          <tr>
            <th scope="col">Partnership</th>
            <th scope="col">Health</th>
            <th scope="col">Next review</th>
            <th scope="col">Last outcome</th>
            <th scope="col">Missed (last 4)</th>
            <th scope="col">Overdue</th>
            <th scope="col">Reflections</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const zone = readerZone ?? r.timeZone;
            return (
              <tr key={r.id}>
                <th scope="row">
                  <a href={pages.partnership(r.id)}>{r.name}</a>
                  <span class="meta">
                    {r.district} with {r.partner}
                    {r.cohort && ` · ${r.cohort.name}`}
                  </span>
                </th>
                <td data-label="Health">
                  {r.health ? <span class={`badge health-${r.health}`}>{HEALTH_LABELS[r.health]}</span> : <Status value={r.status} />}
                  {r.reasons.length > 0 && <span class="meta">{r.reasons.join('; ')}</span>}
                </td>
                <td data-label="Next review">
                  {r.nextReviewAt ? <When at={r.nextReviewAt} zone={zone} /> : '—'}
                  {r.nextReviewAttendance && <span class="meta"> · {r.nextReviewAttendance}</span>}
                </td>
                <td data-label="Last outcome">{r.lastOutcome ? <Status value={r.lastOutcome.status} /> : '—'}</td>
                <td data-label="Missed (last 4)">{r.missedReviews}</td>
                <td data-label="Overdue">
                  {r.overdueCommitments} commitment{r.overdueCommitments === 1 ? '' : 's'}, {r.overdueEvidence} evidence
                </td>
                <td data-label="Reflections">{r.reflection ? `${r.reflection.answered} of ${r.reflection.asked}` : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function HowHealthIsJudged() {
  return (
    <section aria-labelledby="rules">
      <h2 id="rules">How health is judged</h2>
      <p>From Tandem's record, for partnerships that are active or paused:</p>
      <dl class="record">
        <dt>{HEALTH_LABELS.at_risk}</dt>
        <dd>when {RULES.at_risk.join(', or ')}.</dd>
        <dt>{HEALTH_LABELS.needs_attention}</dt>
        <dd>when {RULES.needs_attention.join(', or ')}.</dd>
        <dt>{HEALTH_LABELS.on_track}</dt>
        <dd>otherwise.</dd>
      </dl>
    </section>
  );
}

/** Every overdue commitment the reader may see (of the chosen cohort), streamed as the API's export is. */
export async function overdueCsv(db: Db, me: PersonPrincipal, req: Request, res: Response): Promise<void> {
  const { cohort } = query(req);
  const now = Date.now();
  const stream = await overdueCommitmentsCsv(db, overdueWhere(me, { cohortId: cohort }, now), now);
  res.set({ 'Content-Type': 'text/csv; charset=utf-8', 'Cache-Control': 'private, no-store' }).attachment('overdue-commitments.csv');
  await pipeline(stream, res);
}

/** The dashboard's rows as CSV, written row by row as they are formatted. */
export async function dashboardCsv(db: Db, me: PersonPrincipal, req: Request, res: Response): Promise<void> {
  const rows = await rowsFor(db, me, query(req));
  const readerZone = await chosenZone(db, me.id);
  res.set({
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': 'attachment; filename="tandem-dashboard.csv"',
    'Cache-Control': 'private, no-store',
  });
  const csv = csvWriter([
    'partnership',
    'district',
    'partner',
    'cohort',
    'status',
    'health',
    'reasons',
    'next_review_local',
    'last_outcome',
    'missed_last_4',
    'overdue_commitments',
    'overdue_evidence',
    'reflections_answered',
    'reflections_asked',
    'measures_behind',
  ]);
  csv.pipe(res);
  for (const r of rows) {
    const zone = readerZone ?? r.timeZone;
    csv.write([
      r.name,
      r.district,
      r.partner,
      r.cohort?.name ?? '',
      r.status,
      r.health ?? '',
      r.reasons.join('; '),
      r.nextReviewAt ? localTime(r.nextReviewAt, zone) : '',
      r.lastOutcome?.status ?? '',
      r.missedReviews,
      r.overdueCommitments,
      r.overdueEvidence,
      r.reflection?.answered ?? '',
      r.reflection?.asked ?? '',
      r.measuresBehind,
    ]);
  }
  csv.end();
}

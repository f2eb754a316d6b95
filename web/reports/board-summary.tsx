import type { Request, Response } from 'express';
import type { ComponentChildren } from 'preact';
import { formatFigure, STANDING_LABELS } from '../../core/measures/trajectory.js';
import { pages } from '../../core/pages.js';
import type { PersonPrincipal } from '../../core/people/principal.js';
import { boardSummaryFor } from '../../core/reports/board-summary.js';
import { boardSummaryPdf } from '../../core/reports/board-summary-pdf.js';
import { HEALTH_LABELS } from '../../core/reports/health.js';
import type { Db } from '../../lib/db/client.js';
import { Figures } from '../http/figures.js';
import { localDate } from '../http/format.js';
import type { Outcome, PageContext } from '../http/pages.js';

/** The summary for the board, as a page that prints on about one sheet (the print style drops the page's frame). */
export async function boardSummaryPage(ctx: PageContext): Promise<Outcome> {
  const s = await boardSummaryFor(ctx.deps.db, ctx.me, ctx.param('partnershipId'));
  const zone = s.partnership.timeZone;
  const rated = s.checkIns.filter((c) => c.district !== null || c.partner !== null);
  return {
    title: `${s.partnership.name}: summary for the board`,
    body: (
      <article class="summary">
        <p class="crumbs">
          <a href={pages.partnership(s.partnership.id)}>{s.partnership.name}</a> ·{' '}
          <a href={`${pages.partnership(s.partnership.id)}/summary.pdf`} download>
            Download as PDF
          </a>
        </p>
        <h1>{s.partnership.name}</h1>
        <p class="meta">
          {s.partnership.district} with {s.partnership.partner}
          {s.partnership.cohort && ` · ${s.partnership.cohort}`} · as of {localDate(s.asOf, zone)}
          {s.partnership.sponsors.length > 0 && ` · executive sponsor: ${s.partnership.sponsors.join(', ')}`}
        </p>
        <p>
          <strong>Health:</strong> {s.health.health ? HEALTH_LABELS[s.health.health] : s.partnership.status}
          {s.health.reasons.length > 0 && ` (${s.health.reasons.join('; ')})`}
        </p>

        <Part id="s-goals" title="Goals and measures" none={s.goals.length === 0 && 'No goal with measures yet.'}>
          {s.goals.map((g) => (
            <Figures
              key={g.title}
              caption={g.title}
              columns={['Measure', 'Baseline', 'Latest', 'Target', 'By', 'Standing']}
              rows={g.measures.map((m) => [
                m.name,
                formatFigure(m.baseline, m.unit),
                formatFigure(m.latest, m.unit),
                formatFigure(m.target, m.unit),
                localDate(m.targetAt, zone),
                STANDING_LABELS[m.standing],
              ])}
            />
          ))}
        </Part>
        <Part
          id="s-commitments"
          title="Commitments kept on time, by side"
          none={s.commitmentsBySide.length === 0 && 'No commitment completed yet.'}
        >
          <Figures
            caption="Commitments done, and done by their due date"
            columns={['Side', 'Done', 'On time']}
            rows={s.commitmentsBySide.map((c) => [c.side, c.done, c.onTime])}
          />
        </Part>
        <Part id="s-evidence" title="Evidence, by kind" none={s.evidence.length === 0 && 'No evidence asked for yet.'}>
          <Figures
            caption="Evidence requests by kind"
            columns={['Kind', 'Asked for', 'Submitted', 'Accepted']}
            rows={s.evidence.map((e) => [e.kind, e.requested, e.submitted, e.accepted])}
          />
        </Part>
        <Part
          id="s-check-ins"
          title="How both sides rate the partnership"
          none={rated.length === 0 && 'No check-in with enough answers yet (a side is shown from 3 answers).'}
        >
          <Figures
            caption="Overall rating, 1 to 5, by review"
            columns={['Review', 'District', 'Partner']}
            rows={rated.map((c) => [`#${c.sequence}`, formatFigure(c.district), formatFigure(c.partner)])}
          />
        </Part>
        <Part
          id="s-themes"
          title="Themes of the last reflections"
          none={!s.themes?.themes.length && 'No theme yet: themes are words or phrases at least two people used.'}
        >
          <p>
            Review #{s.themes?.reviewSequence}: {s.themes?.themes.join(', ')}
          </p>
        </Part>
        <Part id="s-overdue" title="Overdue" none={s.overdue.length === 0 && 'Nothing is overdue.'}>
          <ul class="items">
            {s.overdue.map((o) => (
              <li key={`${o.what}${o.description}${o.dueAt.getTime()}`}>
                {o.what}: {o.description}{' '}
                <span class="meta">
                  ({o.owner}, due {localDate(o.dueAt, zone)})
                </span>
              </li>
            ))}
          </ul>
        </Part>
      </article>
    ),
  };
}

/** One part of the summary: its heading, then its figures, or (`none`) what stands where there are none. */
function Part({ id, title, none, children }: { id: string; title: string; none: string | false; children: ComponentChildren }) {
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {none ? <p class="empty">{none}</p> : children}
    </section>
  );
}

/** The same summary as a PDF download. */
export async function boardSummaryPdfDownload(db: Db, me: PersonPrincipal, req: Request, res: Response): Promise<void> {
  const s = await boardSummaryFor(db, me, String(req.params.partnershipId));
  const pdf = await boardSummaryPdf(s);
  const file = `${s.partnership.name.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'partnership'}-summary.pdf`;
  res.set({
    'Content-Type': 'application/pdf',
    'Content-Disposition': `attachment; filename="${file}"`,
    'Cache-Control': 'private, no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.send(pdf);
}

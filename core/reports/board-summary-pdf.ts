import { DateTime } from 'luxon';
import { pdfDocument } from '../../lib/pdf.js';
import { formatFigure, STANDING_LABELS } from '../measures/trajectory.js';
import type { BoardSummary } from './board-summary.js';
import { HEALTH_LABELS } from './health.js';

/** The board summary as a PDF of about one page (lib/pdf.ts draws it). */

const day = (d: Date, zone: string) => DateTime.fromJSDate(d, { zone }).toFormat('LLL d, yyyy');

export function boardSummaryPdf(s: BoardSummary): Promise<Buffer> {
  const {
    heading,
    subheading,
    line,
    muted: none,
    title,
    finish,
    doc,
  } = pdfDocument({
    title: `${s.partnership.name}: summary for the board`,
  });
  const zone = s.partnership.timeZone;

  title(s.partnership.name);
  line(
    `${s.partnership.district} with ${s.partnership.partner}${s.partnership.cohort ? ` · ${s.partnership.cohort}` : ''} · as of ${day(s.asOf, zone)}`,
    { muted: true },
  );
  if (s.partnership.sponsors.length) line(`Executive sponsor: ${s.partnership.sponsors.join(', ')}`, { muted: true });
  doc.moveDown(0.4);
  line(
    `Health: ${s.health.health ? HEALTH_LABELS[s.health.health] : s.partnership.status}${s.health.reasons.length ? ` (${s.health.reasons.join('; ')})` : ''}`,
  );

  heading('Goals and measures');
  if (s.goals.length === 0) none('No goal with measures yet.');
  for (const g of s.goals) {
    subheading(g.title);
    for (const m of g.measures) {
      line(
        `• ${m.name}: ${formatFigure(m.baseline, m.unit)} → ${formatFigure(m.target, m.unit)} by ${day(m.targetAt, zone)}; latest ${formatFigure(m.latest, m.unit)} (${STANDING_LABELS[m.standing]})${m.values.length > 1 ? `; by review ${m.values.map((v) => formatFigure(v)).join(', ')}` : ''}`,
      );
    }
  }

  heading('Commitments kept on time, by side');
  if (s.commitmentsBySide.length === 0) none('No commitment completed yet.');
  for (const c of s.commitmentsBySide) line(`• ${c.side}: ${c.onTime} of ${c.done} done by their due date`);

  heading('Evidence, by kind');
  if (s.evidence.length === 0) none('No evidence asked for yet.');
  for (const e of s.evidence) line(`• ${e.kind}: ${e.requested} asked for, ${e.submitted} submitted, ${e.accepted} accepted`);

  heading('How both sides rate the partnership (1 to 5)');
  const rated = s.checkIns.filter((c) => c.district !== null || c.partner !== null);
  if (rated.length === 0) none('No check-in with enough answers yet (a side is shown from 3 answers).');
  for (const c of rated) line(`• Review #${c.sequence}: district ${formatFigure(c.district)}, partner ${formatFigure(c.partner)}`);

  heading('Themes of the last reflections');
  if (!s.themes || s.themes.themes.length === 0) none('No theme yet: themes are words or phrases at least two people used.');
  else line(`Review #${s.themes.reviewSequence}: ${s.themes.themes.join(', ')}`);

  heading('Overdue');
  if (s.overdue.length === 0) none('Nothing is overdue.');
  for (const o of s.overdue) line(`• ${o.what}: ${o.description} (${o.owner}, due ${day(o.dueAt, zone)})`);

  return finish();
}

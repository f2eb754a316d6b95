import { createRequire } from 'node:module';
import path from 'node:path';
import { DateTime } from 'luxon';
import PDFDocument from 'pdfkit';
import { formatFigure, STANDING_LABELS } from '../measures/trajectory.js';
import type { BoardSummary } from './board-summary.js';
import { HEALTH_LABELS } from './health.js';

/**
 * The board summary as a PDF of about one page, drawn in Node with PDFKit (no browser in production).
 * DejaVu Sans is embedded, so names in any Latin, Greek or Cyrillic script print as typed (PDF's
 * built-in fonts know only Western European letters).
 */

const FONTS = path.join(path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const INK = '#1b1f24';
const MUTED = '#5b6470';

const day = (d: Date, zone: string) => DateTime.fromJSDate(d, { zone }).toFormat('LLL d, yyyy');

export function boardSummaryPdf(s: BoardSummary): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'LETTER',
    margin: 48,
    info: { Title: `${s.partnership.name}: summary for the board`, Author: 'Tandem' },
  });
  doc.registerFont('body', path.join(FONTS, 'DejaVuSans.ttf'));
  doc.registerFont('bold', path.join(FONTS, 'DejaVuSans-Bold.ttf'));
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  const zone = s.partnership.timeZone;

  const heading = (text: string) => doc.moveDown(0.6).font('bold').fontSize(12).fillColor(INK).text(text).moveDown(0.2);
  const line = (text: string, opts: { muted?: boolean } = {}) =>
    doc
      .font('body')
      .fontSize(9.5)
      .fillColor(opts.muted ? MUTED : INK)
      .text(text);
  const none = (text: string) => line(text, { muted: true });

  doc.font('bold').fontSize(18).fillColor(INK).text(s.partnership.name);
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
    doc.font('bold').fontSize(10).fillColor(INK).text(g.title);
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

  doc.end();
  return done;
}

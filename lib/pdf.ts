import { createRequire } from 'node:module';
import path from 'node:path';
import PDFDocument from 'pdfkit';

/**
 * A Letter-size PDF drawn in Node with PDFKit (no browser in production), and the three kinds of
 * text Tandem's documents are made of. DejaVu Sans is embedded, so names in any Latin, Greek or
 * Cyrillic script print as typed (PDF's built-in fonts know only Western European letters).
 */

const FONTS = path.join(path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const INK = '#1b1f24';
const MUTED = '#5b6470';

export function pdfDocument(info: { title: string }) {
  const doc = new PDFDocument({ size: 'LETTER', margin: 48, info: { Title: info.title, Author: 'Tandem' } });
  doc.registerFont('body', path.join(FONTS, 'DejaVuSans.ttf'));
  doc.registerFont('bold', path.join(FONTS, 'DejaVuSans-Bold.ttf'));
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  const line = (text: string, opts: { muted?: boolean } = {}) =>
    doc
      .font('body')
      .fontSize(9.5)
      .fillColor(opts.muted ? MUTED : INK)
      .text(text);
  return {
    doc,
    title: (text: string) => doc.font('bold').fontSize(18).fillColor(INK).text(text),
    heading: (text: string) => doc.moveDown(0.6).font('bold').fontSize(12).fillColor(INK).text(text).moveDown(0.2),
    subheading: (text: string) => doc.font('bold').fontSize(10).fillColor(INK).text(text),
    line,
    muted: (text: string) => line(text, { muted: true }),
    /** Ends the document; its bytes. */
    finish(): Promise<Buffer> {
      doc.end();
      return done;
    },
  };
}

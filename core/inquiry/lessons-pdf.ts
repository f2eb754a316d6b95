import { DateTime } from 'luxon';
import { pdfDocument } from '../../lib/pdf.js';
import type { SharedLesson } from './lessons.js';

/** The lessons a coordinator chose, as a document to publish: each with its partnership, theme and three parts. */
export function lessonsPdf(input: { cohortName: string; lessons: SharedLesson[]; asOf: Date }): Promise<Buffer> {
  const { title, heading, subheading, line, muted, finish, doc } = pdfDocument({ title: `${input.cohortName}: lessons learned` });
  title(`${input.cohortName}: lessons learned`);
  muted(
    `${input.lessons.length} lessons from inquiry cycles · ${DateTime.fromJSDate(input.asOf, { zone: 'utc' }).toFormat('LLLL d, yyyy')}`,
  );
  for (const l of input.lessons) {
    heading(l.title);
    muted(`${l.partnership.name} · ${l.theme} · inquiry cycle ${l.cycle.number}: ${l.cycle.question}`);
    for (const [label, text] of [
      ['What we tried', l.tried],
      ['What we saw', l.saw],
      ["What we'll do next", l.next],
    ] as const) {
      doc.moveDown(0.3);
      subheading(label);
      line(text);
    }
  }
  return finish();
}

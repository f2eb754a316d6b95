import { assertSeesCohortCheckIns } from '../../core/people/rights.js';
import { type CheckInSummary, cohortCheckIns } from '../../core/reflections/check-ins.js';
import { CHECK_IN_DIMENSIONS, CHECK_IN_MINIMUM, type CheckIn } from '../../core/reflections/schemas.js';
import { Figures } from '../http/figures.js';
import { binder, Choices, Crumb, errorOf, TextArea } from '../http/layout.js';
import type { Outcome, PageContext } from '../http/pages.js';

type Issue = { path: string; message: string };

const SCALE = [
  { value: '1', label: '1 (poorly)' },
  { value: '2', label: '2' },
  { value: '3', label: '3' },
  { value: '4', label: '4' },
  { value: '5', label: '5 (very well)' },
] as const;

/** The form's names for the check-in: the schema's paths, so that its errors land on their field. */
const fieldOf = (key: string) => `checkIn.${key}`;

/** The check-in's part of the reflection form: a scale of five per dimension, each may be left out, and a comment. */
export function CheckInFields({ values, errors }: { values: Record<string, string>; errors: Issue[] }) {
  const bind = binder(values, errors);
  return (
    <fieldset>
      <legend>How is the partnership going? (optional)</legend>
      <p>
        Rate each from 1 to 5, or leave it out. The leads see each side's ratings only together, and only once at least {CHECK_IN_MINIMUM}{' '}
        members of a side have answered, so that nobody's rating can be told apart; your comment goes with your reflection.
      </p>
      {CHECK_IN_DIMENSIONS.map((d) => (
        <Choices
          key={d.key}
          name={fieldOf(d.key)}
          legend={`${d.label}: ${d.question}`}
          value={values[fieldOf(d.key)]}
          options={SCALE}
          error={errorOf(errors, fieldOf(d.key))}
        />
      ))}
      <TextArea {...bind(fieldOf('comment'))} label="A comment on how it is going" rows={3} />
    </fieldset>
  );
}

/** A saved check-in as the form's values, to edit it. */
export function checkInValues(
  r: Record<(typeof CHECK_IN_DIMENSIONS)[number]['column'], number | null> & { checkInComment: string | null },
) {
  return {
    ...Object.fromEntries(CHECK_IN_DIMENSIONS.flatMap((d) => (r[d.column] === null ? [] : [[fieldOf(d.key), String(r[d.column])]]))),
    ...(r.checkInComment && { [fieldOf('comment')]: r.checkInComment }),
  };
}

/** The check-in as the command reads it, from the form's fields; none when nothing was rated or said. */
export function checkInOf(form: Record<string, string>): CheckIn | undefined {
  const ratings = Object.fromEntries(
    CHECK_IN_DIMENSIONS.flatMap((d) => {
      const v = form[fieldOf(d.key)];
      // Anything but a whole number is left for the schema to refuse, with the field named.
      return v ? [[d.key, /^\d+$/.test(v) ? Number(v) : v]] : [];
    }),
  );
  const comment = form[fieldOf('comment')]?.trim();
  if (Object.keys(ratings).length === 0 && !comment) return undefined;
  return { ...ratings, ...(comment && { comment }) } as CheckIn;
}

const figure = (n: number | null | undefined) => (typeof n === 'number' ? n.toFixed(1) : '–');
const gapText = (n: number | null | undefined) => (typeof n === 'number' ? (n > 0 ? `+${n.toFixed(1)}` : n.toFixed(1)) : '–');
const mean = (xs: (number | null)[]) => {
  const v = xs.filter((x): x is number => typeof x === 'number');
  return v.length ? Math.round((v.reduce((a, b) => a + b, 0) / v.length) * 10) / 10 : null;
};
const overall = (m: Record<string, number | null> | null) => (m ? mean(Object.values(m)) : null);
const answeredText = (s: CheckInSummary['district']) =>
  s.means ? `${s.answered} answered` : `${s.answered} answered (shown from ${CHECK_IN_MINIMUM})`;

/** One summary as a table: each dimension's mean by side and the gap, under how many answered. */
function ByDimension({ title, summary }: { title: string; summary: CheckInSummary }) {
  return (
    <Figures
      caption={`${title}: district ${answeredText(summary.district)}, partner ${answeredText(summary.partner)}`}
      columns={['Dimension', 'District', 'Partner', 'Gap']}
      rows={CHECK_IN_DIMENSIONS.map((d) => [
        d.label,
        figure(summary.district.means?.[d.key]),
        figure(summary.partner.means?.[d.key]),
        gapText(summary.gap?.[d.key]),
      ])}
    />
  );
}

type ReviewCheckIns = CheckInSummary & { sequence: number };

/**
 * A partnership's check-ins for those who lead it: the latest review's ratings by dimension and side,
 * with the gap between the sides, and the trend of the overall rating by review.
 */
export function CheckIns({ reviews }: { reviews: ReviewCheckIns[] }) {
  const rated = reviews.filter((r) => r.district.answered + r.partner.answered > 0);
  const latest = rated.at(-1);
  return (
    <section aria-labelledby="check-ins">
      <h2 id="check-ins">How it is going</h2>
      {!latest ? (
        <p class="empty">No check-in yet: members rate the partnership with their reflection after each held review.</p>
      ) : (
        <>
          <p>
            Each side's mean rating from 1 to 5, shown once {CHECK_IN_MINIMUM} of its members have answered; the gap is the district's
            rating minus the partner's.
          </p>
          <ByDimension title={`Review #${latest.sequence}`} summary={latest} />
          {rated.length > 1 && (
            <Figures
              caption="The overall rating by review"
              columns={['Review', 'District', 'Partner', 'Gap']}
              rows={rated.map((r) => {
                const [a, b] = [overall(r.district.means), overall(r.partner.means)];
                return [`#${r.sequence}`, figure(a), figure(b), gapText(a !== null && b !== null ? Math.round((a - b) * 10) / 10 : null)];
              })}
            />
          )}
        </>
      )}
    </section>
  );
}

/** A cohort's check-ins for its coordinators: each partnership's latest, and the cohort's pooled figures. */
export async function cohortCheckInsPage(ctx: PageContext): Promise<Outcome> {
  const cohortId = await assertSeesCohortCheckIns(ctx.deps.db, ctx.me, ctx.param('id'));
  const cohort = await ctx.deps.db.cohort.findUniqueOrThrow({ where: { id: cohortId }, select: { name: true } });
  const { partnerships, cohort: pooled } = await cohortCheckIns(ctx.deps.db, cohortId);
  const side = (s: CheckInSummary['district']) => (s.means ? figure(overall(s.means)) : `${s.answered} answered`);
  return {
    title: `Check-ins of ${cohort.name}`,
    body: (
      <>
        <Crumb href="/dashboard/cohorts">Cohorts</Crumb>
        <h1>How {cohort.name}'s partnerships are going</h1>
        <p>
          Each side's mean rating from 1 to 5 at each partnership's latest review with check-ins, shown once {CHECK_IN_MINIMUM} of its
          members have answered; the cohort's figures pool those answers.
        </p>
        <ByDimension title="The cohort" summary={pooled} />
        {partnerships.length === 0 ? (
          <p class="empty">The cohort has no partnership yet.</p>
        ) : (
          <Figures
            caption="Each partnership's overall rating at its latest check-in"
            columns={['Partnership', 'Review', 'District', 'Partner']}
            rows={partnerships.map((p) =>
              p.latest
                ? [p.name, `#${p.latest.sequence}`, side(p.latest.district), side(p.latest.partner)]
                : [p.name, 'none yet', '–', '–'],
            )}
          />
        )}
      </>
    ),
  };
}

import { pages } from '../../core/pages.js';
import { chosenZone } from '../../core/people/zone.js';
import { ownReflection, saveReflection } from '../../core/reflections/commands.js';
import { When } from '../http/format.js';
import { binder, ErrorSummary, Form, TextArea } from '../http/layout.js';
import { formIssues, type Outcome, type PageContext } from '../http/pages.js';
import { CheckInFields, checkInOf, checkInValues } from './check-ins.js';

type Issue = { path: string; message: string };

const QUESTIONS = [
  { name: 'whatWorked', label: 'What worked?' },
  { name: 'whatDidnt', label: "What didn't?" },
  { name: 'howToImprove', label: 'How could it be improved?' },
] as const;

/** The reader's own debrief of a held review: what worked, what didn't, how to improve. */
export async function reflectionPage(
  ctx: PageContext,
  state: { errors?: Issue[]; values?: Record<string, string> } = {},
): Promise<Outcome> {
  const { review, reflection, open } = await ownReflection(ctx.deps, ctx.me, ctx.param('reviewId'));
  const zone = (await chosenZone(ctx.deps.db, ctx.me.id)) ?? review.partnership.timeZone;
  const errors = state.errors ?? [];
  const v = state.values ?? {
    whatWorked: reflection?.whatWorked ?? '',
    whatDidnt: reflection?.whatDidnt ?? '',
    howToImprove: reflection?.howToImprove ?? '',
    ...(reflection && checkInValues(reflection)),
  };
  const bind = binder(v, errors);
  const back = (
    <a href={pages.review(review.partnershipId, review.id)}>
      Review #{review.sequence} of {review.partnership.name}
    </a>
  );
  if (!reflection) {
    return {
      title: 'Reflection',
      body: (
        <section>
          <p class="crumbs">{back}</p>
          <h1>No reflection was asked of you</h1>
          <p>Everyone who was a member when the review was held is asked to reflect.</p>
        </section>
      ),
    };
  }
  return {
    title: `Reflection on review #${review.sequence}`,
    status: errors.length ? 400 : 200,
    body: (
      <section>
        <p class="crumbs">{back}</p>
        <h1>Your reflection on review #{review.sequence}</h1>
        <p>
          Take a moment to debrief: what worked, what didn't, and how it could be improved. The partnership's leads see everyone's answers,
          with names; the other members see how many answered and, once the window closes, the themes.
          {reflection.submittedAt && (
            <>
              {' '}
              You answered on <When at={reflection.submittedAt} zone={zone} />
              {open ? '; you may change your answers until the window closes.' : '.'}
            </>
          )}
        </p>
        {open ? (
          <>
            <ErrorSummary errors={errors} />
            <Form action={pages.reflection(review.partnershipId, review.id)} csrf={ctx.csrf} label="Your reflection">
              {QUESTIONS.map((q) => (
                <TextArea {...bind(q.name)} key={q.name} label={q.label} required rows={5} />
              ))}
              <CheckInFields values={v} errors={errors} />
              <button type="submit">{reflection.submittedAt ? 'Save my changes' : 'Send my reflection'}</button>
            </Form>
          </>
        ) : (
          <>
            <p>The window for reflections on this review has closed.</p>
            {reflection.submittedAt &&
              QUESTIONS.map((q) => (
                <div key={q.name}>
                  <h2>{q.label}</h2>
                  <p>{reflection[q.name]}</p>
                </div>
              ))}
          </>
        )}
      </section>
    ),
  };
}

export async function saveReflectionForm(ctx: PageContext): Promise<Outcome> {
  const f = ctx.form;
  const errors: Issue[] = QUESTIONS.filter((q) => !f[q.name]?.trim()).map((q) => ({ path: q.name, message: `Answer "${q.label}"` }));
  if (errors.length) return reflectionPage(ctx, { errors, values: f });
  const reviewId = ctx.param('reviewId');
  try {
    await saveReflection(ctx.deps, ctx.me, reviewId, {
      whatWorked: (f.whatWorked ?? '').trim(),
      whatDidnt: (f.whatDidnt ?? '').trim(),
      howToImprove: (f.howToImprove ?? '').trim(),
      checkIn: checkInOf(f),
    });
  } catch (e) {
    return reflectionPage(ctx, { errors: formIssues(e, 'whatWorked'), values: f });
  }
  return {
    redirect: pages.reflection(ctx.param('partnershipId'), reviewId),
    flash: 'Thank you: your reflection is saved. You may change it until the window closes.',
  };
}

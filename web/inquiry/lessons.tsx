import type { Request, Response } from 'express';
import { cohortLessons, lessonOf, lessonsToPublish, type SharedLesson, writeLesson } from '../../core/inquiry/lessons.js';
import { lessonsPdf } from '../../core/inquiry/lessons-pdf.js';
import { pages } from '../../core/pages.js';
import type { PersonPrincipal } from '../../core/people/principal.js';
import { standingIn } from '../../core/people/rights.js';
import type { Db } from '../../lib/db/client.js';
import { Checkbox, Crumb, ErrorSummary, errorOf, Form, TextArea, TextField } from '../http/layout.js';
import { formIssues, type Outcome, type PageContext } from '../http/pages.js';

/**
 * Lessons on the pages: written under a closed cycle, read on the cohort's page by theme and words,
 * gathered by its coordinators into a document to publish (HTML to print, or PDF). The rules are
 * core/inquiry/lessons.ts's, as the API's.
 */

type Issue = { path: string; message: string };
export type LessonState = { errors?: Issue[]; values?: Record<string, string> };
type Cycle = {
  id: string;
  status: string;
  partnership: { id: string; name: string; cohortId: string | null; districtId: string; partnerId: string };
  phases: { phase: string; ownerId: string }[];
};

const PARTS = [
  ['tried', 'What we tried'],
  ['saw', 'What we saw'],
  ['next', "What we'll do next"],
] as const;

function LessonText({ lesson }: { lesson: { tried: string; saw: string; next: string } }) {
  return (
    <dl class="record">
      {PARTS.map(([key, label]) => (
        <div key={key}>
          <dt>{label}</dt>
          <dd>{lesson[key]}</dd>
        </div>
      ))}
    </dl>
  );
}

/** What the lesson section shows of a cycle: its lesson, and whether the reader may write and share it. */
export async function lessonView(ctx: PageContext, cycle: Cycle) {
  if (cycle.status !== 'closed') return null;
  const { db } = ctx.deps;
  const lesson = await lessonOf(ctx.deps, ctx.me, cycle.partnership.id, cycle.id);
  const leads = (await standingIn(db, ctx.me, cycle.partnership)).leads;
  const owner = cycle.phases.find((ph) => ph.phase === 'reflect')?.ownerId === ctx.me.id;
  const cohort = cycle.partnership.cohortId
    ? await db.cohort.findUnique({ where: { id: cycle.partnership.cohortId }, select: { id: true, name: true } })
    : null;
  return { lesson, leads, mayWrite: owner || leads, cohort, action: `${pages.inquiryCycle(cycle.partnership.id, cycle.id)}/lesson` };
}

/** Under a closed cycle: its lesson, and for its reflect owner or a lead, the form to write it (and share it). */
export function LessonSection(props: {
  view: NonNullable<Awaited<ReturnType<typeof lessonView>>>;
  csrf: string;
  state?: LessonState | undefined;
}) {
  const { view, csrf, state } = props;
  const { lesson, leads, mayWrite, cohort, action } = view;
  const errors = state?.errors ?? [];
  const v = state?.values ?? {};
  const value = (key: 'title' | 'theme' | 'tried' | 'saw' | 'next') => v[key] ?? lesson?.[key] ?? '';
  return (
    <section aria-labelledby="lesson">
      <h2 id="lesson">The lesson</h2>
      {lesson ? (
        <>
          <p class="lead">{lesson.title}</p>
          <p class="meta">
            {lesson.theme} · by {lesson.onBehalfOfName ?? lesson.actorName ?? 'a key'}
            {lesson.sharedAt && cohort ? ` · shared with ${cohort.name}` : ' · kept in the partnership'}
          </p>
          <LessonText lesson={lesson} />
        </>
      ) : (
        <p class="empty">Nobody has written what this cycle taught yet.</p>
      )}
      {mayWrite && (
        <>
          <ErrorSummary errors={errors} />
          <Form action={action} csrf={csrf} label={lesson ? 'Rewrite the lesson' : 'Write the lesson'}>
            <TextField name="title" label="In one line" value={value('title')} required error={errorOf(errors, 'title')} />
            <TextField
              name="theme"
              label="Theme"
              hint="A word or two the cohort finds it under, e.g. coaching, family engagement."
              value={value('theme')}
              required
              error={errorOf(errors, 'theme')}
            />
            {PARTS.map(([key, label]) => (
              <TextArea key={key} name={key} label={label} value={value(key)} required error={errorOf(errors, key)} />
            ))}
            {cohort && leads && (
              <Checkbox
                name="share"
                id="f-share"
                label={`Share it with ${cohort.name}`}
                checked={state?.values ? v.share === 'on' : Boolean(lesson?.sharedAt)}
              />
            )}
            <button type="submit">Save the lesson</button>
          </Form>
        </>
      )}
    </section>
  );
}

export async function saveLesson(
  ctx: PageContext,
  cyclePage: (ctx: PageContext, lesson: LessonState) => Promise<Outcome>,
): Promise<Outcome> {
  const partnershipId = ctx.param('partnershipId');
  const cycleId = ctx.param('cycleId');
  const f = ctx.form;
  try {
    const lesson = await writeLesson(ctx.deps, ctx.me, partnershipId, cycleId, {
      title: f.title ?? '',
      theme: f.theme ?? '',
      tried: f.tried ?? '',
      saw: f.saw ?? '',
      next: f.next ?? '',
      share: f.share === 'on',
    });
    return {
      redirect: `${pages.inquiryCycle(partnershipId, cycleId)}#lesson`,
      flash: lesson.sharedAt ? 'The lesson is saved and shared with the cohort.' : 'The lesson is saved.',
    };
  } catch (e) {
    return cyclePage(ctx, { errors: formIssues(e, 'title'), values: f });
  }
}

// ---- The cohort's lessons ----

const mayPublish = (me: PersonPrincipal, cohortId: string) => me.isAdmin || me.coordinates.includes(cohortId);
const publicationPath = (cohortId: string) => `${pages.cohortLessons(cohortId)}/publication`;

export async function cohortLessonsPage(ctx: PageContext): Promise<Outcome> {
  const q = typeof ctx.req.query.q === 'string' ? ctx.req.query.q.slice(0, 200) : '';
  const theme = typeof ctx.req.query.theme === 'string' ? ctx.req.query.theme.slice(0, 60) : '';
  const found = await cohortLessons(ctx.deps, ctx.me, ctx.param('id'), { q, theme });
  const { cohort, lessons, themes } = found;
  const publish = mayPublish(ctx.me, cohort.id);
  const byTheme = new Map<string, SharedLesson[]>();
  for (const l of lessons) byTheme.set(l.theme, [...(byTheme.get(l.theme) ?? []), l]);
  const list = [...byTheme].map(([t, items]) => (
    <section key={t} aria-label={t}>
      <h2>{t}</h2>
      <ul class="items">
        {items.map((l) => (
          <li key={l.id}>
            {publish && <Checkbox name="lesson" id={`f-lesson-${l.id}`} value={l.id} label={`Publish “${l.title}”`} checked={false} />}
            <h3>
              <a href={`${pages.inquiryCycle(l.partnership.id, l.cycleId)}#lesson`}>{l.title}</a>
            </h3>
            <p class="meta">
              {l.partnership.name} · inquiry cycle {l.cycle.number}: {l.cycle.question}
            </p>
            <LessonText lesson={l} />
          </li>
        ))}
      </ul>
    </section>
  ));
  return {
    title: `Lessons of ${cohort.name}`,
    body: (
      <>
        <Crumb href="/dashboard/cohorts">Cohorts</Crumb>
        <h1>What {cohort.name} learned</h1>
        <p>
          The lessons its partnerships shared when their inquiry cycles closed: what they tried, what they saw, what they will do next.
          Every member of the cohort gets the month's new lessons by mail on the first of the next month.
        </p>
        <form method="get" action={pages.cohortLessons(cohort.id)} class="filters" aria-label="Find lessons">
          <div class="field">
            <label for="f-q">Words</label>
            <input id="f-q" name="q" type="search" value={q} />
          </div>
          <div class="field">
            <label for="f-theme">Theme</label>
            <select id="f-theme" name="theme">
              <option value="">Every theme</option>
              {themes.map((t) => (
                <option key={t.theme} value={t.theme} selected={t.theme.toLowerCase() === theme.toLowerCase()}>
                  {t.theme} ({t.count})
                </option>
              ))}
            </select>
          </div>
          <button type="submit">Find</button>
        </form>
        {lessons.length === 0 ? (
          <p class="empty">{q || theme ? 'No shared lesson matches.' : 'No lesson shared yet.'}</p>
        ) : publish ? (
          <form method="get" action={publicationPath(cohort.id)} aria-label="Publish lessons">
            <p>Tick the lessons to gather into a document to publish.</p>
            {list}
            <button type="submit">Gather the ticked lessons</button>
          </form>
        ) : (
          list
        )}
      </>
    ),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The ticked lessons (`lesson` given once per lesson), as the publication's query names them. */
function chosenLessons(req: Request): string[] {
  const raw = req.query.lesson;
  const ids = (Array.isArray(raw) ? raw : [raw]).filter((x): x is string => typeof x === 'string' && UUID.test(x));
  return ids.slice(0, 50);
}

/** The chosen lessons as a page to print or save, with the same as a PDF. */
export async function publicationPage(ctx: PageContext): Promise<Outcome> {
  const cohortId = ctx.param('id');
  const ids = chosenLessons(ctx.req);
  if (ids.length === 0) return { redirect: pages.cohortLessons(cohortId), flash: 'Tick at least one lesson to publish.' };
  const { cohort, lessons } = await lessonsToPublish(ctx.deps, ctx.me, cohortId, ids);
  const query = new URLSearchParams(ids.map((id) => ['lesson', id]));
  return {
    title: `${cohort.name}: lessons learned`,
    body: (
      <>
        <Crumb href={pages.cohortLessons(cohort.id)}>Lessons of {cohort.name}</Crumb>
        <h1>{cohort.name}: lessons learned</h1>
        <p class="actions">
          <a href={`${publicationPath(cohort.id)}.pdf?${query}`}>Download as PDF</a>
        </p>
        {lessons.map((l) => (
          <article key={l.id} aria-labelledby={`l-${l.id}`}>
            <h2 id={`l-${l.id}`}>{l.title}</h2>
            <p class="meta">
              {l.partnership.name} · {l.theme} · inquiry cycle {l.cycle.number}: {l.cycle.question}
            </p>
            <LessonText lesson={l} />
          </article>
        ))}
      </>
    ),
  };
}

export async function publicationPdfDownload(db: Db, me: PersonPrincipal, req: Request, res: Response) {
  const cohortId = (req.params as { id: string }).id;
  const { cohort, lessons } = await lessonsToPublish({ db }, me, cohortId, chosenLessons(req));
  const pdf = await lessonsPdf({ cohortName: cohort.name, lessons, asOf: new Date() });
  res.set({ 'Content-Type': 'application/pdf', 'Content-Disposition': 'attachment; filename="lessons.pdf"' }).send(pdf);
}

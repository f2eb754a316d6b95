import { pages } from '../../core/pages.js';
import { activatePartnership } from '../../core/partnerships/lifecycle.js';
import {
  answerPlanning,
  checklistOf,
  describeUnanswered,
  type PlanningQuestionText,
  planningTemplateOf,
  SIDES,
  type Side,
  setPlanningTemplate,
  TOPIC_LABELS,
} from '../../core/partnerships/planning.js';
import { planningTopic } from '../../core/partnerships/schemas.js';
import type { PersonPrincipal } from '../../core/people/principal.js';
import { ownSettingsScope, standingIn } from '../../core/people/rights.js';
import type { Db } from '../../lib/db/client.js';
import { Checkbox, Crumb, ErrorSummary, errorOf, Form, formState, Select, TextArea, TextField } from '../http/layout.js';
import { formIssues, type Outcome, type PageContext } from '../http/pages.js';
import { chosenTarget, settingsOwnerOf, targetChoices } from '../http/settings-owner.js';

/**
 * The planning checklist on the pages: each side's leads answer for their side, everyone in the
 * partnership reads it, and those who manage it activate from here, seeing what is unanswered.
 * The cohort's or district's questions are kept on the dashboard's "Planning questions" page.
 * The rules are core/partnerships/planning.ts's, as the API's.
 */

type Issue = { path: string; message: string };
type State = { errors?: Issue[]; values?: Record<string, string> };

const SIDE_LABEL: Record<Side, string> = { district: "The district's answer", partner: "The partner's answer" };
export const planningPath = (partnershipId: string) => `${pages.partnership(partnershipId)}/planning`;

/** For the partnership's page while it is in planning: where the checklist is, and how far it has come. */
export function PlanningLink({ partnershipId }: { partnershipId: string }) {
  return (
    <p>
      <a href={planningPath(partnershipId)}>Planning checklist</a>: the questions both sides answer before the partnership starts.
    </p>
  );
}

/** The side a signed-in person answers for: a district or partner lead's own, else none. */
async function ownSide(db: Db, me: PersonPrincipal, partnershipId: string): Promise<Side | null> {
  const member = await db.partnershipMember.findUnique({ where: { partnershipId_personId: { partnershipId, personId: me.id } } });
  if (!member || (member.role !== 'district_lead' && member.role !== 'partner_lead') || member.side === 'shared') return null;
  return member.side;
}

export async function planningPage(ctx: PageContext, state: State = {}): Promise<Outcome> {
  const { db } = ctx.deps;
  const c = await checklistOf(ctx.deps, ctx.me, ctx.param('partnershipId'));
  const p = c.partnership;
  const open = p.status === 'planning';
  const side = open ? await ownSide(db, ctx.me, p.id) : null;
  const manages = open && (await standingIn(db, ctx.me, p)).manages;
  const { errors, v } = formState(state);
  const total = c.questions.length * SIDES.length;
  return {
    title: `Planning checklist: ${p.name}`,
    status: errors.length ? 400 : 200,
    body: (
      <>
        <Crumb href={pages.partnership(p.id)}>{p.name}</Crumb>
        <h1>Planning checklist</h1>
        {c.questions.length === 0 ? (
          <p class="empty">This partnership started without a planning checklist.</p>
        ) : (
          <p>
            Both sides answer each question before the partnership starts: {c.answered} of {total} answers given.
            {!open && ' The partnership has started: the checklist is kept as it was answered.'}
          </p>
        )}
        <ErrorSummary errors={errors} />
        {side ? (
          <Form action={planningPath(p.id)} csrf={ctx.csrf} label="Answer the planning questions">
            {c.questions.map((q) => {
              const other = SIDES.find((s) => s !== side) as Side;
              const theirs = q.answers[other];
              return (
                <fieldset key={q.id}>
                  <legend>{TOPIC_LABELS[q.topic]}</legend>
                  <TextArea
                    name={`answer.${q.id}`}
                    label={q.text}
                    hint={`For the ${side}'s side. Leave it empty to take an answer back.`}
                    value={v[`answer.${q.id}`] ?? q.answers[side]?.answer ?? ''}
                    error={errorOf(errors, `answer.${q.id}`)}
                  />
                  <p class="meta">
                    {SIDE_LABEL[other]}: {theirs ? theirs.answer : 'not yet given.'}
                  </p>
                </fieldset>
              );
            })}
            <button type="submit">Save the answers</button>
          </Form>
        ) : (
          <Answers questions={c.questions} />
        )}
        {manages && (
          <section aria-labelledby="activate">
            <h2 id="activate">Activate the partnership</h2>
            <p>Its reviews, reminders and invitations start now{p.plannedStart ? ', before its planned start' : ''}.</p>
            <Form action={`${pages.partnership(p.id)}/activate`} csrf={ctx.csrf} label="Activate the partnership">
              {c.unanswered.length > 0 && (
                <>
                  <p>Still unanswered: {describeUnanswered(c.unanswered)}.</p>
                  <ul class="items">
                    {c.unanswered.map((u) => (
                      <li key={`${u.questionId}:${u.side}`}>
                        {u.text} <span class="meta">({u.side})</span>
                      </li>
                    ))}
                  </ul>
                  <Checkbox
                    name="despiteUnanswered"
                    id="f-despiteUnanswered"
                    label={`Activate although ${c.unanswered.length} ${c.unanswered.length === 1 ? 'answer is' : 'answers are'} missing`}
                    checked={v.despiteUnanswered === 'on'}
                  />
                </>
              )}
              <button type="submit">Activate</button>
            </Form>
          </section>
        )}
      </>
    ),
  };
}

function Answers({ questions }: { questions: Awaited<ReturnType<typeof checklistOf>>['questions'] }) {
  return (
    <dl class="record">
      {questions.map((q) => (
        <div key={q.id}>
          <dt>
            {TOPIC_LABELS[q.topic]}: {q.text}
          </dt>
          {SIDES.map((s) => (
            <dd key={s}>
              {SIDE_LABEL[s]}: {q.answers[s] ? `${q.answers[s]?.answer} (${q.answers[s]?.by ?? 'a key'})` : 'not yet given.'}
            </dd>
          ))}
        </div>
      ))}
    </dl>
  );
}

export async function savePlanning(ctx: PageContext): Promise<Outcome> {
  const partnershipId = ctx.param('partnershipId');
  const f = ctx.form;
  const answers = Object.entries(f)
    .filter(([k]) => k.startsWith('answer.'))
    .map(([k, answer]) => ({ questionId: k.slice('answer.'.length), answer }));
  if (answers.length === 0) return planningPage(ctx, { errors: [{ path: 'answers', message: 'Answer at least one question' }], values: f });
  try {
    await answerPlanning(ctx.deps, ctx.me, partnershipId, { answers });
  } catch (e) {
    const issues = formIssues(e, 'answers').map((i) => {
      // "answers.3.answer" names the fourth field sent: name it by its question, as the form does.
      const at = /^answers\.(\d+)\./.exec(i.path);
      const question = at ? answers[Number(at[1])]?.questionId : undefined;
      return question ? { ...i, path: `answer.${question}` } : i;
    });
    return planningPage(ctx, { errors: issues, values: f });
  }
  return { redirect: planningPath(partnershipId), flash: 'Your answers are saved.' };
}

export async function saveActivation(ctx: PageContext): Promise<Outcome> {
  const partnershipId = ctx.param('partnershipId');
  try {
    await activatePartnership(ctx.deps, ctx.me, partnershipId, { despiteUnanswered: ctx.form.despiteUnanswered === 'on' });
  } catch (e) {
    return planningPage(ctx, { errors: formIssues(e, 'despiteUnanswered'), values: ctx.form });
  }
  return { redirect: pages.partnership(partnershipId), flash: 'The partnership is active: its members are invited to its first review.' };
}

// ---- The questions a cohort or a district asks ----

/** Rows the form offers beyond the questions kept: room to add a few without a script. */
const SPARE_ROWS = 3;
const MAX_QUESTIONS = 30;
const TOPIC_OPTIONS = planningTopic.options.map((t) => ({ value: t, label: TOPIC_LABELS[t] }));

async function targetsOf(db: Db, me: PersonPrincipal) {
  const scope = ownSettingsScope(me);
  const cohorts = await db.cohort.findMany({ where: scope.cohorts, orderBy: { name: 'asc' } });
  const districts = await db.organization.findMany({ where: scope.districts, orderBy: { name: 'asc' } });
  return targetChoices(cohorts, districts);
}

export async function planningQuestionsPage(ctx: PageContext, state: State & { target?: string } = {}): Promise<Outcome> {
  const targets = await targetsOf(ctx.deps.db, ctx.me);
  const chosen = chosenTarget(targets, state.target, ctx.req.query.target);
  const owner = settingsOwnerOf(chosen?.value);
  const template = owner ? await planningTemplateOf(ctx.deps, ctx.me, owner) : null;
  const errors = state.errors ?? [];
  const v = state.values;
  const rows: PlanningQuestionText[] = template ? template.questions : [];
  const count = Math.min(MAX_QUESTIONS, rows.length + SPARE_ROWS);
  return {
    title: 'Planning questions',
    status: errors.length ? 400 : 200,
    body: (
      <>
        <Crumb href="/dashboard">Dashboard</Crumb>
        <h1>Planning questions</h1>
        <p>
          The questions both sides of a partnership answer while it is in planning. A cohort's questions are asked of its partnerships, a
          district's of its other partnerships, and Tandem's own of the rest. A partnership whose checklist is already open keeps its
          questions.
        </p>
        {!chosen || !template ? (
          <p class="empty">You coordinate no cohort and administer no district.</p>
        ) : (
          <>
            <form method="get" action="/dashboard/planning-questions" class="filters">
              <Select name="target" label="Whose questions" value={chosen.value} options={targets} />
              <button type="submit">Show</button>
            </form>
            <p class="meta">
              {template.own
                ? `Its own questions, last changed by ${template.updatedBy ?? 'someone'}.`
                : "It keeps no questions of its own: these are Tandem's, asked until it saves its own."}
            </p>
            <ErrorSummary errors={errors} />
            <Form action="/dashboard/planning-questions" csrf={ctx.csrf} label="Save the planning questions">
              <input type="hidden" name="target" value={chosen.value} />
              {Array.from({ length: count }, (_, i) => (
                <fieldset key={i}>
                  <legend>Question {i + 1}</legend>
                  <Select
                    name={`questions.${i}.topic`}
                    label="About"
                    value={v?.[`questions.${i}.topic`] ?? rows[i]?.topic ?? 'needs'}
                    options={TOPIC_OPTIONS}
                    error={errorOf(errors, `questions.${i}.topic`)}
                  />
                  <TextField
                    name={`questions.${i}.text`}
                    label="The question"
                    hint={i >= rows.length ? 'Leave it empty to ask no more.' : 'Empty it to stop asking it.'}
                    value={v?.[`questions.${i}.text`] ?? rows[i]?.text ?? ''}
                    error={errorOf(errors, `questions.${i}.text`)}
                  />
                </fieldset>
              ))}
              <button type="submit">Save the questions</button>
            </Form>
          </>
        )}
      </>
    ),
  };
}

export async function savePlanningQuestions(ctx: PageContext): Promise<Outcome> {
  const f = ctx.form;
  const owner = settingsOwnerOf(f.target);
  if (!owner) return planningQuestionsPage(ctx, { errors: [{ path: 'target', message: 'Choose whose questions these are' }], values: f });
  // Rows left empty are not questions; the numbers in errors are the form's own.
  const kept: { row: number; topic: string; text: string }[] = [];
  for (let i = 0; i < MAX_QUESTIONS; i++) {
    const text = f[`questions.${i}.text`];
    if (text === undefined || text.trim() === '') continue;
    kept.push({ row: i, topic: f[`questions.${i}.topic`] ?? '', text });
  }
  try {
    await setPlanningTemplate(ctx.deps, ctx.me, owner, {
      questions: kept.map((q) => ({ topic: q.topic as PlanningQuestionText['topic'], text: q.text })),
    });
  } catch (e) {
    const issues = formIssues(e, 'questions.0.text').map((i) => {
      const at = /^questions\.(\d+)\.(\w+)/.exec(i.path);
      const row = at ? kept[Number(at[1])]?.row : undefined;
      return row === undefined
        ? i.path === 'questions'
          ? { ...i, path: 'questions.0.text' }
          : i
        : { ...i, path: `questions.${row}.${at?.[2]}` };
    });
    return planningQuestionsPage(ctx, { errors: issues, values: f, target: f.target });
  }
  return {
    redirect: `/dashboard/planning-questions?${new URLSearchParams({ target: f.target ?? '' })}`,
    flash: 'The planning questions are saved.',
  };
}

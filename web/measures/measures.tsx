import type { Request, Response } from 'express';
import { DateTime } from 'luxon';
import { changeMeasure, createGoal, recordMeasureValues } from '../../core/measures/commands.js';
import { type GoalWithMeasures, goalsOf } from '../../core/measures/goals.js';
import { expectedAt, formatFigure, STANDING_LABELS } from '../../core/measures/trajectory.js';
import { pages } from '../../core/pages.js';
import { loadPartnership } from '../../core/people/members.js';
import type { PersonPrincipal } from '../../core/people/principal.js';
import { partnershipScope, standingIn } from '../../core/people/rights.js';
import { chosenZone } from '../../core/people/zone.js';
import type { PartnershipEvent } from '../../generated/prisma/client.js';
import type { Db } from '../../lib/db/client.js';
import { ForbiddenError, NotFoundError } from '../../lib/errors.js';
import { drawSvg, IMAGE_WIDTH, sendSvg } from '../http/chart.js';
import { Figures } from '../http/figures.js';
import { localDate, When } from '../http/format.js';
import { Crumb, ErrorSummary, errorOf, Form, formState, Select, TextArea, TextField } from '../http/layout.js';
import { formIssues, type Outcome, type PageContext } from '../http/pages.js';

type Issue = { path: string; message: string };
type State = { errors?: Issue[]; values?: Record<string, string> };
type MeasureView = GoalWithMeasures['measures'][number];

/** How many measures the goal form offers: enough for most goals, without a script to add rows. */
const MEASURE_ROWS = 3;
const DIRECTIONS = [
  { value: 'increase', label: 'Up (more is better)' },
  { value: 'decrease', label: 'Down (less is better)' },
];

/** A number as people type it ("42", "-3.5", "1,250"); null when it is not one. */
function readFigure(raw: string | undefined): number | null {
  const s = (raw ?? '').trim().replace(/,(?=\d{3}\b)/g, '');
  return /^-?\d+(\.\d+)?$/.test(s) ? Number(s) : null;
}

const measurePath = (partnershipId: string, measureId: string) => `${pages.partnership(partnershipId)}/measures/${measureId}`;

/** For the partnership's page: each goal's measures, where each stands, and where the leads set a goal. */
export function GoalsSection({ partnershipId, goals, mayPlan }: { partnershipId: string; goals: GoalWithMeasures[]; mayPlan: boolean }) {
  return (
    <section aria-labelledby="goals">
      <h2 id="goals">Goals and measures</h2>
      {goals.length === 0 ? (
        <p class="empty">No goal with measures of success yet.</p>
      ) : (
        goals.map((g) => (
          <div key={g.id} class="goal">
            <h3>{g.title}</h3>
            <ul class="items">
              {g.measures.map((m) => (
                <li key={m.id}>
                  <a href={measurePath(partnershipId, m.id)}>{m.name}</a>{' '}
                  <span class={`badge standing-${m.standing}`}>{STANDING_LABELS[m.standing]}</span>
                  <span class="meta">
                    {' '}
                    {formatFigure(m.baseline, m.unit)} → {formatFigure(m.target, m.unit)}
                    {m.values.length > 0 && ` · latest ${formatFigure(m.values.at(-1)?.value ?? null, m.unit)}`}
                  </span>
                </li>
              ))}
            </ul>
          </div>
        ))
      )}
      {mayPlan && (
        <p>
          <a href={`${pages.partnership(partnershipId)}/goals/new`}>Set a goal with its measures</a>
        </p>
      )}
    </section>
  );
}

async function assertPlans(ctx: PageContext, partnershipId: string) {
  const partnership = await loadPartnership(ctx.deps.db, ctx.me, partnershipId);
  if (!(await standingIn(ctx.deps.db, ctx.me, partnership)).leads) {
    throw new ForbiddenError("Only the partnership's leads set its goals and measures");
  }
  return partnership;
}

/** A goal and up to MEASURE_ROWS measures; rows left blank are not measures. */
export async function newGoalPage(ctx: PageContext, state: State = {}): Promise<Outcome> {
  const partnership = await assertPlans(ctx, ctx.param('partnershipId'));
  const { errors, v, bind } = formState(state);
  const field = (i: number, name: string) => `measures.${i}.${name}`;
  return {
    title: `Set a goal: ${partnership.name}`,
    status: errors.length ? 400 : 200,
    body: (
      <>
        <Crumb href={pages.partnership(partnership.id)}>{partnership.name}</Crumb>
        <h1>Set a goal with its measures</h1>
        <p>
          Each measure runs from where it stands now (its baseline) to its target by a date. Its values are recorded at each held review and
          compared with the straight line between the two: a measure behind that line makes the partnership need attention.
        </p>
        <ErrorSummary errors={errors} />
        <Form action={`${pages.partnership(partnership.id)}/goals`} csrf={ctx.csrf} label="Set a goal">
          <TextField {...bind('title')} label="The goal" required />
          {Array.from({ length: MEASURE_ROWS }, (_, i) => (
            <fieldset key={i}>
              <legend>
                Measure {i + 1}
                {i > 0 && ' (optional)'}
              </legend>
              <TextField
                {...bind(field(i, 'name'))}
                label="What is measured"
                hint={i === 0 ? 'For instance: Grade 3 students reading at grade level.' : undefined}
                required={i === 0}
              />
              <TextField
                {...bind(field(i, 'unit'))}
                label="Unit"
                hint={i === 0 ? 'For instance: %, students, points.' : undefined}
                required={i === 0}
              />
              <TextField {...bind(field(i, 'baseline'))} label="Where it stands now" inputmode="decimal" required={i === 0} />
              <Select
                name={field(i, 'direction')}
                label="Better when it goes"
                value={v[field(i, 'direction')] ?? 'increase'}
                options={DIRECTIONS}
                error={errorOf(errors, field(i, 'direction'))}
              />
              <TextField {...bind(field(i, 'target'))} label="Target" inputmode="decimal" required={i === 0} />
              <TextField {...bind(field(i, 'targetDate'))} label={`By (a date, ${partnership.timeZone})`} type="date" required={i === 0} />
              <TextField
                {...bind(field(i, 'source'))}
                label="Where its figures come from"
                hint={i === 0 ? 'For instance: state assessment, classroom observations.' : undefined}
                required={i === 0}
              />
            </fieldset>
          ))}
          <button type="submit">Set the goal</button>
        </Form>
      </>
    ),
  };
}

export async function saveGoal(ctx: PageContext): Promise<Outcome> {
  const partnershipId = ctx.param('partnershipId');
  const f = ctx.form;
  const errors: Issue[] = [];
  const measures = [];
  for (let i = 0; i < MEASURE_ROWS; i++) {
    const at = (name: string) => f[`measures.${i}.${name}`]?.trim() ?? '';
    const typed = ['name', 'unit', 'baseline', 'target', 'targetDate', 'source'].filter((n) => at(n) !== '');
    if (i > 0 && typed.length === 0) continue;
    const baseline = readFigure(at('baseline'));
    const target = readFigure(at('target'));
    if (baseline === null) errors.push({ path: `measures.${i}.baseline`, message: 'Give a number' });
    if (target === null) errors.push({ path: `measures.${i}.target`, message: 'Give a number' });
    measures.push({
      name: at('name'),
      unit: at('unit'),
      baseline: baseline ?? 0,
      target: target ?? 0,
      targetDate: at('targetDate'),
      direction: at('direction') === 'decrease' ? ('decrease' as const) : ('increase' as const),
      source: at('source'),
    });
  }
  if (errors.length) return newGoalPage(ctx, { errors, values: f });
  try {
    await createGoal(ctx.deps, ctx.me, partnershipId, { title: f.title?.trim() ?? '', measures });
  } catch (e) {
    return newGoalPage(ctx, { errors: formIssues(e, 'title'), values: f });
  }
  return { redirect: `${pages.partnership(partnershipId)}#goals`, flash: 'The goal is set. Record its measures at each held review.' };
}

async function loadMeasure(db: Db, me: PersonPrincipal, partnershipId: string, id: string) {
  const m = await db.measure.findFirst({
    where: { id, partnershipId, partnership: partnershipScope(me) },
    include: { goal: true, partnership: true },
  });
  if (!m) throw new NotFoundError(`Measure ${id} does not exist`);
  const view = (await goalsOf(db, partnershipId)).flatMap((g) => g.measures).find((x) => x.id === id) as MeasureView;
  return { ...m, view };
}

/** A measure: its chart against its trajectory, its figures, its changes, and (for the leads) a change with a reason. */
export async function measurePage(ctx: PageContext, state: State = {}): Promise<Outcome> {
  const partnershipId = ctx.param('partnershipId');
  const id = ctx.param('id');
  const { db } = ctx.deps;
  const m = await loadMeasure(db, ctx.me, partnershipId, id);
  const zone = (await chosenZone(db, ctx.me.id)) ?? m.partnership.timeZone;
  const running = m.partnership.status !== 'completed' && m.partnership.status !== 'ended_early';
  const mayChange = running && (await standingIn(db, ctx.me, m.partnership)).leads;
  const changes = await db.partnershipEvent.findMany({
    where: { partnershipId, type: 'measure.changed', data: { path: ['measureId'], equals: id } },
    orderBy: { id: 'asc' },
  });
  const view = m.view;
  return {
    title: m.name,
    status: state.errors?.length ? 400 : 200,
    body: (
      <>
        <Crumb href={pages.partnership(partnershipId)}>{m.partnership.name}</Crumb>
        <h1>{m.name}</h1>
        <p class="meta">
          {m.goal.title} · <span class={`badge standing-${view.standing}`}>{STANDING_LABELS[view.standing]}</span>
        </p>
        <dl class="record">
          <dt>From</dt>
          <dd>
            {formatFigure(m.baseline, m.unit)} on {localDate(m.baselineAt, zone)}
          </dd>
          <dt>To</dt>
          <dd>
            {formatFigure(m.target, m.unit)} by {localDate(m.targetAt, m.partnership.timeZone)} (
            {m.direction === 'increase' ? 'higher is better' : 'lower is better'})
          </dd>
          <dt>Source</dt>
          <dd>{m.source}</dd>
        </dl>
        <section aria-labelledby="trend">
          <h2 id="trend">Its values against its trajectory</h2>
          {view.values.length === 0 ? (
            <p class="empty">No value recorded yet: the leads record one at each held review.</p>
          ) : (
            <>
              <img src={`${measurePath(partnershipId, id)}/chart.svg`} alt={chartAlt(m.name)} class="chart" width={IMAGE_WIDTH} />
              <Figures
                caption="Recorded at held reviews"
                columns={['Review', 'Held', 'Value', 'Trajectory', 'Note']}
                rows={view.values.map((x) => [
                  `#${x.review.sequence}`,
                  localDate(x.review.scheduledAt, zone),
                  formatFigure(x.value, m.unit),
                  formatFigure(expectedAt(m, x.review.scheduledAt), m.unit),
                  x.note ?? '',
                ])}
              />
            </>
          )}
        </section>
        <TargetChanges changes={changes} unit={m.unit} zone={zone} />
        {mayChange && <ChangeTargetForm m={m} action={`${measurePath(partnershipId, id)}/change`} csrf={ctx.csrf} state={state} />}
      </>
    ),
  };
}

/** How the measure's target was changed, by whom and why, oldest first. */
function TargetChanges({ changes, unit, zone }: { changes: PartnershipEvent[]; unit: string; zone: string }) {
  if (changes.length === 0) return null;
  return (
    <section aria-labelledby="changes">
      <h2 id="changes">Changes</h2>
      <ul class="items">
        {changes.map((c) => {
          const d = c.data as { reason: string; before: { target: number }; after: { target: number } };
          return (
            <li key={String(c.id)}>
              <When at={c.occurredAt} zone={zone} /> by {c.onBehalfOfName ?? c.actorName ?? 'Tandem'}: target{' '}
              {formatFigure(d.before.target, unit)} → {formatFigure(d.after.target, unit)}
              <p class="notes">{d.reason}</p>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** A lead's change of the target and its date, with the reason the measure's page shows. */
function ChangeTargetForm({
  m,
  action,
  csrf,
  state,
}: {
  m: { target: number; targetAt: Date; partnership: { timeZone: string } };
  action: string;
  csrf: string;
  state: State;
}) {
  const zone = m.partnership.timeZone;
  const targetDate = DateTime.fromJSDate(m.targetAt, { zone }).toISODate() ?? '';
  const { errors, bind } = formState(state, { defaults: { target: String(m.target), targetDate } });
  return (
    <section aria-labelledby="change">
      <h2 id="change">Change the target</h2>
      <ErrorSummary errors={errors} />
      <Form action={action} csrf={csrf} label="Change the target">
        <TextField {...bind('target')} label="Target" inputmode="decimal" required />
        <TextField {...bind('targetDate')} label={`By (a date, ${zone})`} type="date" required />
        <TextArea {...bind('reason')} label="Why" required rows={2} />
        <button type="submit" class="secondary">
          Change it
        </button>
      </Form>
    </section>
  );
}

const chartAlt = (name: string) => `Line chart: ${name} at each held review, beside the straight line from its baseline to its target.`;

export async function saveMeasureChange(ctx: PageContext): Promise<Outcome> {
  const partnershipId = ctx.param('partnershipId');
  const id = ctx.param('id');
  const f = ctx.form;
  const target = readFigure(f.target);
  if (target === null) return measurePage(ctx, { errors: [{ path: 'target', message: 'Give a number' }], values: f });
  try {
    await changeMeasure(ctx.deps, ctx.me, id, { target, targetDate: f.targetDate?.trim() || undefined, reason: f.reason?.trim() ?? '' });
  } catch (e) {
    return measurePage(ctx, { errors: formIssues(e, 'reason'), values: f });
  }
  return { redirect: measurePath(partnershipId, id), flash: 'The measure is changed; the reason is in its history.' };
}

/** The measure's chart: its values at held reviews, and its trajectory as a dashed line from baseline to target. */
export async function measureChartSvg(db: Db, me: PersonPrincipal, req: Request, res: Response): Promise<void> {
  const m = await loadMeasure(db, me, String(req.params.partnershipId), String(req.params.id));
  const day = (d: Date) => DateTime.fromJSDate(d, { zone: m.partnership.timeZone }).toISODate();
  const svg = await drawSvg(
    {
      layer: [
        {
          data: {
            values: [
              { at: day(m.baselineAt), value: m.baseline },
              { at: day(m.targetAt), value: m.target },
            ],
          },
          mark: { type: 'line', strokeDash: [6, 4], color: '#6b7280' },
          encoding: {
            x: { field: 'at', type: 'temporal', title: 'Date' },
            y: { field: 'value', type: 'quantitative', title: m.unit },
          },
        },
        {
          data: { values: m.view.values.map((x) => ({ at: day(x.review.scheduledAt), value: x.value })) },
          mark: { type: 'line', point: true, color: '#1f5fa8' },
          encoding: {
            x: { field: 'at', type: 'temporal', title: 'Date' },
            y: { field: 'value', type: 'quantitative', title: m.unit },
          },
        },
      ],
    },
    chartAlt(m.name),
  );
  sendSvg(res, svg);
}

/** For a held review's page: the value of each measure at this review, recorded by the leads. */
export function MeasureValuesForm({
  action,
  csrf,
  measures,
  evidence,
  reviewId,
  state,
}: {
  action: string;
  csrf: string;
  measures: MeasureView[];
  /** The partnership's evidence requests, one of which a figure may come from. */
  evidence: { id: string; description: string }[];
  reviewId: string;
  state: State;
}) {
  const { errors, v } = formState(state);
  const recorded = (m: MeasureView) => m.values.find((x) => x.reviewId === reviewId);
  return (
    <section aria-labelledby="measures">
      <h2 id="measures">Measures at this review</h2>
      <p>The value of each measure of success as it stood at this review. Leave one blank to record it later.</p>
      <ErrorSummary errors={errors} />
      <Form action={action} csrf={csrf} label="Record the measures">
        {measures.map((m, i) => (
          <fieldset key={m.id}>
            <legend>{m.name}</legend>
            <input type="hidden" name={`values.${i}.measureId`} value={m.id} />
            <TextField
              name={`values.${i}.value`}
              label={`Value (${m.unit}; target ${formatFigure(m.target, m.unit)})`}
              inputmode="decimal"
              value={v[`values.${i}.value`] ?? (recorded(m) ? String(recorded(m)?.value) : undefined)}
              error={errorOf(errors, `values.${i}.value`)}
            />
            <TextArea
              name={`values.${i}.note`}
              label="Note (optional)"
              rows={2}
              value={v[`values.${i}.note`] ?? recorded(m)?.note}
              error={errorOf(errors, `values.${i}.note`)}
            />
            {evidence.length > 0 && (
              <Select
                name={`values.${i}.evidenceRequestId`}
                label="Evidence it comes from (optional)"
                value={v[`values.${i}.evidenceRequestId`] ?? recorded(m)?.evidenceRequestId ?? ''}
                options={[{ value: '', label: 'None named' }, ...evidence.map((e) => ({ value: e.id, label: e.description }))]}
                error={errorOf(errors, `values.${i}.evidenceRequestId`)}
              />
            )}
          </fieldset>
        ))}
        <button type="submit">Record the measures</button>
      </Form>
    </section>
  );
}

/** The measures' values from the review page's form; blank ones are left for later. */
export async function saveMeasureValues(ctx: PageContext, page: (ctx: PageContext, state: State) => Promise<Outcome>): Promise<Outcome> {
  const partnershipId = ctx.param('partnershipId');
  const reviewId = ctx.param('reviewId');
  const f = ctx.form;
  const errors: Issue[] = [];
  const values = [];
  for (let i = 0; f[`values.${i}.measureId`] !== undefined && i < 50; i++) {
    const raw = f[`values.${i}.value`]?.trim() ?? '';
    if (raw === '') continue;
    const value = readFigure(raw);
    if (value === null) errors.push({ path: `values.${i}.value`, message: 'Give a number' });
    const evidenceRequestId = f[`values.${i}.evidenceRequestId`]?.trim();
    values.push({
      measureId: f[`values.${i}.measureId`] ?? '',
      value: value ?? 0,
      note: f[`values.${i}.note`]?.trim() || undefined,
      ...(evidenceRequestId && { evidenceRequestId }),
    });
  }
  if (values.length === 0) errors.push({ path: 'values.0.value', message: 'Give the value of at least one measure' });
  if (errors.length) return page(ctx, { errors, values: f });
  try {
    await recordMeasureValues(ctx.deps, ctx.me, partnershipId, reviewId, { values });
  } catch (e) {
    return page(ctx, { errors: formIssues(e, 'values.0.value'), values: f });
  }
  return { redirect: `${pages.review(partnershipId, reviewId)}#measures`, flash: 'The measures are recorded.' };
}

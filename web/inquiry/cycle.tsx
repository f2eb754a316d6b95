import { type CycleWithPhases, cycleFor, phaseDueAt, phaseStatus, recordPhase, startCycle } from '../../core/inquiry/commands.js';
import { PHASE_TEXT } from '../../core/inquiry/cycles.js';
import { pages } from '../../core/pages.js';
import { loadPartnership } from '../../core/people/members.js';
import { standingIn } from '../../core/people/rights.js';
import { chosenZone } from '../../core/people/zone.js';
import { ForbiddenError } from '../../lib/errors.js';
import { DECISIONS, INQUIRY_PHASES, type InquiryPhase } from '../../workflows/inquiry/messages.js';
import { Comments, commentsFor } from '../comments/comments.js';
import { ROLE_LABELS, Status, When } from '../http/format.js';
import { Crumb, ErrorSummary, Form, formState, Select, TextArea } from '../http/layout.js';
import { formIssues, type Outcome, type PageContext } from '../http/pages.js';
import { CyclePlanFields, readCyclePlan } from './cycle-plan.js';
import { LessonSection, type LessonState, lessonView } from './lessons.js';

/**
 * An inquiry cycle's page: the question, each phase with its owner, due date and what was recorded,
 * and the form of the phase under way for its owner or a lead; and the form a lead starts a cycle
 * with. The actions are the API's (api/inquiry/actions.ts), with its rights and its rules.
 */

type Issue = { path: string; message: string };
type State = {
  errors?: Issue[];
  values?: Record<string, string>;
  lesson?: LessonState;
  /** The lesson's comment form, refused. */
  comment?: { errors?: Issue[]; values?: Record<string, string>; form?: string };
};

const params = (ctx: PageContext) => ctx.req.params as { partnershipId: string; cycleId: string };

const DECISION_LABELS: Record<string, string> = {
  adopt: 'Adopt the change',
  adapt: 'Adapt it, and run another cycle',
  abandon: 'Abandon it',
};

/** The labelled fields of what a phase recorded, in the order they were asked. */
function recordLines(phase: InquiryPhase, record: Record<string, unknown>): [string, string][] {
  const s = (k: string) => (typeof record[k] === 'string' ? (record[k] as string) : '');
  switch (phase) {
    case 'plan':
      return [
        ['Change idea', s('changeIdea')],
        ['Prediction', s('prediction')],
        ['Measures', Array.isArray(record.measures) ? (record.measures as string[]).join('; ') : ''],
      ];
    case 'do':
      return [['What was done', s('notes')]];
    case 'study':
      return [['What the data showed', s('findings')]];
    case 'act':
      return [
        ['Decision', DECISION_LABELS[s('decision')] ?? s('decision')],
        ['Notes', s('notes')],
      ];
    case 'reflect':
      return [
        ['What worked', s('worked')],
        ["What didn't", s('didNot')],
        ['How to improve', s('improve')],
      ];
  }
}

/** The fields of the phase under way; names are the API's. */
function PhaseFields({ phase, cycle, state }: { phase: InquiryPhase; cycle: CycleWithPhases; state: State }) {
  const { bind } = formState(state, { defaults: { question: cycle.question } });
  const area = (name: string, label: string, hint?: string) => <TextArea {...bind(name)} label={label} hint={hint} required rows={3} />;
  switch (phase) {
    case 'plan':
      return (
        <>
          <TextArea {...bind('question')} label="The question" rows={2} />
          {area('changeIdea', 'Change idea', 'What you will try.')}
          {area('prediction', 'Prediction', 'What you expect it to do, and by when.')}
          {area('measures', 'Measures', 'One per line: what you will look at to know.')}
        </>
      );
    case 'do':
      return area('notes', 'What was done', 'Also what happened that was not planned.');
    case 'study':
      return area('findings', 'What the data showed', 'Against the prediction.');
    case 'act':
      return (
        <>
          <Select
            {...bind('decision')}
            label="Decision"
            required
            options={DECISIONS.map((d) => ({ value: d, label: DECISION_LABELS[d] ?? d }))}
          />
          <TextArea {...bind('notes')} label="Notes (optional)" rows={3} />
        </>
      );
    case 'reflect':
      return (
        <>
          {area('worked', 'What worked?')}
          {area('didNot', "What didn't?")}
          {area('improve', 'How could it be improved?')}
        </>
      );
  }
}

/** The phases of a cycle, each with its owner, due date and what was recorded of it. */
function Phases({ cycle, zone }: { cycle: CycleWithPhases; zone: string }) {
  return (
    <section aria-labelledby="phases">
      <h2 id="phases">Phases</h2>
      <ol class="items">
        {cycle.phases.map((ph) => (
          <li key={ph.id}>
            <Status value={phaseStatus(cycle, ph)} /> <strong>{PHASE_TEXT[ph.phase].label}</strong>{' '}
            <span class="meta">
              {ph.owner.name}, due <When at={phaseDueAt(ph)} zone={zone} />
              {ph.recordedBy && ` · recorded by ${ph.recordedBy}`}
            </span>
            {ph.record && (
              <dl class="record">
                {recordLines(ph.phase, ph.record as Record<string, unknown>)
                  .filter(([, text]) => text)
                  .map(([label, text]) => (
                    <>
                      <dt>{label}</dt>
                      <dd>{text}</dd>
                    </>
                  ))}
              </dl>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}

/**
 * An inquiry cycle: its question, its phases, the form for the phase under way (its owner's, or a
 * lead's on their behalf), and once closed the lesson it leaves the cohort, with its comments.
 */
export async function cyclePage(ctx: PageContext, state: State = {}): Promise<Outcome> {
  const { partnershipId, cycleId } = params(ctx);
  const cycle = await cycleFor(ctx.deps, ctx.me, partnershipId, cycleId);
  const zone = (await chosenZone(ctx.deps.db, ctx.me.id)) ?? cycle.partnership.timeZone;
  const standing = await standingIn(ctx.deps.db, ctx.me, cycle.partnership);
  const leads = standing.leads;
  const current = cycle.phases.find((ph) => ph.phase === cycle.currentPhase);
  const mayRecord = cycle.status === 'open' && current && (current.ownerId === ctx.me.id || leads);
  const title = `Inquiry cycle ${cycle.number}`;
  const lesson = await lessonView(ctx, cycle);
  const comments = lesson?.lesson ? await commentsFor(ctx.deps.db, partnershipId, 'lesson', cycleId) : null;
  return {
    title: `${title}: ${cycle.partnership.name}`,
    status: state.errors?.length || state.lesson?.errors?.length ? 400 : 200,
    body: (
      <>
        <Crumb href={pages.partnership(partnershipId)}>{cycle.partnership.name}</Crumb>
        <h1>{title}</h1>
        <p class="lead">{cycle.question}</p>
        <p class="meta">
          <Status value={cycle.status} />
          {cycle.decision && ` Decision: ${DECISION_LABELS[cycle.decision]}.`} Started <When at={cycle.startedAt} zone={zone} />
          {cycle.previous && (
            <>
              {' '}
              · adapts <a href={pages.inquiryCycle(partnershipId, cycle.previous.id)}>cycle {cycle.previous.number}</a>
            </>
          )}
          {cycle.next && (
            <>
              {' '}
              · continued in <a href={pages.inquiryCycle(partnershipId, cycle.next.id)}>cycle {cycle.next.number}</a>
            </>
          )}
        </p>
        <Phases cycle={cycle} zone={zone} />
        {mayRecord && current && (
          <section aria-labelledby="record-phase">
            <h2 id="record-phase">Record the {PHASE_TEXT[current.phase].label.toLowerCase()} phase</h2>
            <p>{PHASE_TEXT[current.phase].ask.replace(/^./, (c) => c.toUpperCase())}</p>
            {current.ownerId !== ctx.me.id && (
              <p>You are a lead of this partnership: it is recorded that you did it for {current.owner.name}.</p>
            )}
            <ErrorSummary errors={state.errors ?? []} />
            <Form
              action={`${pages.inquiryCycle(partnershipId, cycleId)}/phases/${current.phase}`}
              csrf={ctx.csrf}
              label={`Record the ${current.phase} phase`}
            >
              <PhaseFields phase={current.phase} cycle={cycle} state={state} />
              <button type="submit">Record it</button>
            </Form>
            <p class="meta">
              More time? <a href={pages.commitment(partnershipId, current.id)}>Move the phase's due date</a>.
            </p>
          </section>
        )}
        {cycle.status === 'open' && current && !mayRecord && (
          <p>
            The {PHASE_TEXT[current.phase].label.toLowerCase()} phase is {current.owner.name}'s to record, or a lead's.
          </p>
        )}
        {lesson && <LessonSection view={lesson} csrf={ctx.csrf} state={state.lesson} />}
        {comments && (
          <Comments
            comments={comments}
            action={`${pages.inquiryCycle(partnershipId, cycleId)}/lesson/comments`}
            csrf={ctx.csrf}
            zone={zone}
            mayComment={standing.role !== null || standing.manages}
            state={state.comment ?? {}}
          />
        )}
      </>
    ),
  };
}

/** The phase's form, as the API's body: measures one per line, an unchanged question left out. */
function recordBody(phase: InquiryPhase, f: Record<string, string>, question: string): Record<string, unknown> {
  const t = (k: string) => f[k]?.trim() || undefined;
  switch (phase) {
    case 'plan':
      return {
        ...(t('question') && t('question') !== question && { question: t('question') }),
        changeIdea: t('changeIdea'),
        prediction: t('prediction'),
        measures: (f.measures ?? '')
          .split(/\r?\n/)
          .map((m) => m.trim())
          .filter(Boolean),
      };
    case 'do':
      return { notes: t('notes') };
    case 'study':
      return { findings: t('findings') };
    case 'act':
      return { decision: t('decision'), ...(t('notes') && { notes: t('notes') }) };
    case 'reflect':
      return { worked: t('worked'), didNot: t('didNot'), improve: t('improve') };
  }
}

export async function saveCyclePhase(ctx: PageContext): Promise<Outcome> {
  const { partnershipId, cycleId } = params(ctx);
  const phase = (ctx.req.params as { phase: string }).phase as InquiryPhase;
  const values = ctx.form;
  const cycle = await cycleFor(ctx.deps, ctx.me, partnershipId, cycleId);
  if (!INQUIRY_PHASES.includes(phase)) return cyclePage(ctx, { errors: [{ path: 'phase', message: 'No such phase' }], values });
  try {
    await recordPhase(ctx.deps, ctx.me, partnershipId, cycleId, phase, recordBody(phase, values, cycle.question));
  } catch (e) {
    return cyclePage(ctx, { errors: formIssues(e, 'phase'), values });
  }
  const closing = phase === 'reflect';
  return {
    redirect: pages.inquiryCycle(partnershipId, cycleId),
    flash: closing ? 'Recorded: the cycle is closed. Everyone in the partnership is told.' : 'Recorded: the next phase has begun.',
  };
}

/** Starting a cycle: the question, then each phase's owner and due date. */
export async function newCyclePage(ctx: PageContext, state: State = {}): Promise<Outcome> {
  const partnership = await loadPartnership(ctx.deps.db, ctx.me, ctx.param('partnershipId'));
  if (!(await standingIn(ctx.deps.db, ctx.me, partnership)).leads) {
    throw new ForbiddenError("Only the partnership's leads start an inquiry cycle");
  }
  const zone = partnership.timeZone;
  const { errors, v } = formState(state);
  const owners = partnership.members.map((m) => ({ value: m.person.email, label: `${m.person.name} (${ROLE_LABELS[m.role] ?? m.role})` }));
  const lead = partnership.members.find((m) => m.role === 'district_lead') ?? partnership.members[0];
  return {
    title: `Start an inquiry cycle: ${partnership.name}`,
    status: errors.length ? 400 : 200,
    body: (
      <>
        <Crumb href={pages.partnership(partnership.id)}>{partnership.name}</Crumb>
        <h1>Start an inquiry cycle</h1>
        <p>
          Plan, do, study, act, then a reflection closes the cycle. Each phase is its owner's, with reminders before its due date and, when
          it is late, the escalation of a commitment. Times are in {zone}.
        </p>
        <ErrorSummary errors={errors} />
        <Form action={`${pages.partnership(partnership.id)}/inquiry`} csrf={ctx.csrf} label="Start an inquiry cycle">
          <CyclePlanFields values={v} errors={errors} owner={{ field: 'ownerEmail', options: owners, initial: () => lead?.person.email }} />
          <button type="submit">Start the cycle</button>
        </Form>
      </>
    ),
  };
}

export async function saveNewCycle(ctx: PageContext): Promise<Outcome> {
  const partnershipId = ctx.param('partnershipId');
  const values = ctx.form;
  const partnership = await ctx.deps.db.partnership.findUnique({ where: { id: partnershipId }, select: { timeZone: true } });
  const zone = partnership?.timeZone ?? 'UTC';
  const plan = readCyclePlan(values, zone, 'ownerEmail');
  const { question, missing } = plan;
  const phases = plan.phases as Parameters<typeof startCycle>[3]['phases'];
  if (missing.length) return newCyclePage(ctx, { errors: missing, values });
  try {
    const cycle = await startCycle(ctx.deps, ctx.me, partnershipId, { question, phases });
    return { redirect: pages.inquiryCycle(partnershipId, cycle.id), flash: 'The cycle has started: its plan phase is under way.' };
  } catch (e) {
    return newCyclePage(ctx, { errors: formIssues(e, 'question'), values });
  }
}

/** For the partnership's page: its cycles, each with the phase under way. */
export function CycleList({
  partnershipId,
  cycles,
  mayStart,
}: {
  partnershipId: string;
  cycles: { id: string; number: number; question: string; status: string; currentPhase: InquiryPhase | null }[];
  mayStart: boolean;
}) {
  return (
    <section aria-labelledby="inquiry">
      <h2 id="inquiry">Inquiry cycles</h2>
      {cycles.length === 0 ? (
        <p class="empty">No inquiry cycle yet.</p>
      ) : (
        <ul class="items">
          {cycles.map((c) => (
            <li key={c.id}>
              <Status value={c.status} /> <a href={pages.inquiryCycle(partnershipId, c.id)}>Cycle {c.number}</a>{' '}
              <span class="meta">
                {c.currentPhase ? `${PHASE_TEXT[c.currentPhase].label} phase · ` : ''}
                {c.question}
              </span>
            </li>
          ))}
        </ul>
      )}
      {mayStart && (
        <p>
          <a href={`${pages.partnership(partnershipId)}/inquiry/new`}>Start an inquiry cycle</a>
        </p>
      )}
    </section>
  );
}

import { DateTime } from 'luxon';
import { EVIDENCE_KINDS } from '../../core/deadlines/schemas.js';
import { goalsOf } from '../../core/measures/goals.js';
import { pages } from '../../core/pages.js';
import { partnershipScope, seesReflections, standingIn } from '../../core/people/rights.js';
import { chosenZone } from '../../core/people/zone.js';
import { attendanceLine, attendanceOf } from '../../core/replies/attendance.js';
import { type OutcomeInput, recordOutcome, rescheduleReview } from '../../core/reviews/commands.js';
import type { Db } from '../../lib/db/client.js';
import { NotFoundError } from '../../lib/errors.js';
import type { EvidenceKind } from '../../workflows/deadlines/messages.js';
import { HELD_EARLIEST_MS } from '../../workflows/partnerships/messages.js';
import { Comments, commentsFor } from '../comments/comments.js';
import { fromLocalInput, localInput, Status, When } from '../http/format.js';
import { binder, Crumb, ErrorSummary, errorOf, Form, Select, TextArea, TextField } from '../http/layout.js';
import { formIssues, type Outcome, type PageContext } from '../http/pages.js';
import { MeasureValuesForm } from '../measures/measures.js';
import { ReflectionSummary } from '../partnerships/partnership.js';

type Issue = { path: string; message: string };
/** The outcome form starts with one row of each and grows a row at a time ("Add another"), up to this. */
const MAX_ROWS = 20;
/** Pledges are due at the end of the working day they are due on, in the partnership's zone. */
const DUE_HOUR = 17;

const SIDES = ['district', 'partner', 'shared'] as const;

async function load(ctx: PageContext) {
  const { db } = ctx.deps;
  const { partnershipId, reviewId } = ctx.req.params as { partnershipId: string; reviewId: string };
  const review = await db.review.findFirst({
    where: { id: reviewId, partnershipId, partnership: partnershipScope(ctx.me) },
    include: { partnership: { include: { members: { include: { person: true }, orderBy: { person: { name: 'asc' } } } } } },
  });
  if (!review) throw new NotFoundError(`Review ${reviewId} does not exist`);
  return review;
}

/**
 * A review: when, what is open in the partnership, the last reflections; for its leads, recording
 * the outcome (held with notes, decisions, new commitments and evidence requests; or skipped), and
 * moving it. A missed review may still be recorded, until the next review begins.
 */
export async function reviewPage(
  ctx: PageContext,
  state: { errors?: Issue[]; values?: Record<string, string>; form?: string } = {},
): Promise<Outcome> {
  const { db } = ctx.deps;
  const review = await load(ctx);
  const p = review.partnership;
  const zone = (await chosenZone(db, ctx.me.id)) ?? p.timeZone;
  const standing = await standingIn(db, ctx.me, p);
  const { commitments, evidence, lastHeld, next } = await agendaOf(db, review);
  const answers = (await attendanceOf(db, [review.id])).get(review.id) ?? [];
  const measures = review.status === 'held' ? (await goalsOf(db, p.id)).flatMap((g) => g.measures) : [];
  const ended = p.status === 'completed' || p.status === 'ended_early';
  const recordable =
    !ended && (review.status === 'scheduled' || (review.status === 'missed' && (!next || next.scheduledAt.getTime() > Date.now())));
  // Held may be recorded from a few hours before (the workflow's rule); skipped at any time.
  const heldFrom = new Date(review.scheduledAt.getTime() - HELD_EARLIEST_MS);
  const early = review.status === 'scheduled' && Date.now() < heldFrom.getTime();
  // A comment refused is shown at the comment's form only.
  const errors = state.form === 'comment' ? [] : (state.errors ?? []);
  const v = state.form === 'comment' ? {} : (state.values ?? {});
  const own = (id: string) => `/p/${p.id}/reviews/${review.id}/${id}`;
  const memberOptions = [
    { value: '', label: 'Choose a member' },
    ...p.members.map((m) => ({ value: m.personId, label: `${m.person.name} (${m.side === 'partner' ? 'partner' : 'district'})` })),
  ];
  return {
    title: `Review #${review.sequence} of ${p.name}`,
    status: errors.length ? 400 : 200,
    body: (
      <>
        <ReviewRecord review={review} zone={zone} />
        <Attendance answers={answers} members={p.members.length} />

        <Agenda
          review={review}
          commitments={commitments}
          evidence={evidence}
          lastHeld={lastHeld}
          answers={seesReflections(standing)}
          zone={zone}
        />

        {standing.leads && recordable && early && (
          <SkipForm action={own('outcome')} csrf={ctx.csrf} heldFrom={heldFrom} zone={zone} values={v} errors={errors} />
        )}
        {standing.leads && recordable && !early && (
          <OutcomeForm
            action={own('outcome')}
            csrf={ctx.csrf}
            missed={review.status === 'missed'}
            timeZone={p.timeZone}
            members={memberOptions}
            values={v}
            errors={errors}
          />
        )}

        {standing.leads && review.status === 'scheduled' && !ended && (
          <MoveForm
            action={own('reschedule')}
            csrf={ctx.csrf}
            timeZone={p.timeZone}
            at={v.at ?? localInput(review.scheduledAt, p.timeZone)}
            errors={errors}
          />
        )}

        {standing.leads && review.status === 'held' && !ended && measures.length > 0 && (
          <MeasureValuesForm
            action={own('measures')}
            csrf={ctx.csrf}
            measures={measures}
            evidence={
              await db.evidenceRequest.findMany({
                where: { partnershipId: p.id },
                select: { id: true, description: true },
                orderBy: { dueAt: 'asc' },
              })
            }
            reviewId={review.id}
            state={state.form === 'comment' ? {} : state}
          />
        )}

        <Comments
          comments={await commentsFor(db, p.id, 'review', review.id)}
          action={own('comments')}
          csrf={ctx.csrf}
          zone={zone}
          mayComment={standing.role !== null || standing.manages}
          state={state}
        />
      </>
    ),
  };
}

/** What is recorded of the review: when, how it stands, its notes and decisions. */
function ReviewRecord({ review, zone }: { review: Awaited<ReturnType<typeof load>>; zone: string }) {
  const p = review.partnership;
  return (
    <>
      <Crumb href={pages.partnership(p.id)}>{p.name}</Crumb>
      <h1>Review #{review.sequence}</h1>
      <p class="meta">
        <Status value={review.status} /> <When at={review.scheduledAt} zone={zone} />
        {review.skipReason ? ` · ${review.skipReason}` : ''}
      </p>
      {review.notes && <p class="notes">{review.notes}</p>}
      {review.decisions.length > 0 && (
        <section aria-labelledby="decisions">
          <h2 id="decisions">Decisions</h2>
          <ul>
            {review.decisions.map((d) => (
              <li key={d}>{d}</li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}

type Answer = NonNullable<ReturnType<Awaited<ReturnType<typeof attendanceOf>>['get']>>[number];

/** The members' answers to the invitation, one line each, after a count of them. */
function Attendance({ answers, members }: { answers: Answer[]; members: number }) {
  if (answers.length === 0) return null;
  return (
    <section aria-labelledby="attendance">
      <h2 id="attendance">Answers to the invitation</h2>
      <p class="meta">{attendanceLine(answers, members)}</p>
      <ul class="items">
        {answers.map((a) => (
          <li key={a.personId}>
            {a.person.name}: {a.response}
            {a.comment ? ` (“${a.comment}”)` : ''}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** What the review is about: the open work, the last held review's reflections, and the review after it. */
async function agendaOf(db: Db, review: { partnershipId: string; sequence: number }) {
  const [commitments, evidence, lastHeld, next] = await Promise.all([
    db.commitment.findMany({
      where: { partnershipId: review.partnershipId, status: { in: ['open', 'overdue'] } },
      include: { owner: true },
      orderBy: { dueAt: 'asc' },
    }),
    db.evidenceRequest.findMany({
      where: { partnershipId: review.partnershipId, status: { in: ['open', 'overdue'] } },
      include: { owner: true },
      orderBy: { dueAt: 'asc' },
    }),
    db.review.findFirst({
      where: { partnershipId: review.partnershipId, status: 'held', sequence: { lte: review.sequence } },
      orderBy: { sequence: 'desc' },
      include: { reflections: { include: { person: true }, orderBy: { person: { name: 'asc' } } } },
    }),
    db.review.findFirst({
      where: { partnershipId: review.partnershipId, sequence: { gt: review.sequence } },
      orderBy: { sequence: 'asc' },
    }),
  ]);
  return { commitments, evidence, lastHeld, next };
}

/** Before a review can be recorded as held: skipping it (or moving it, below). */
function SkipForm(props: { action: string; csrf: string; heldFrom: Date; zone: string; values: Record<string, string>; errors: Issue[] }) {
  const { action, csrf, heldFrom, zone, values: v, errors } = props;
  const bind = binder(v, errors);
  return (
    <section aria-labelledby="outcome">
      <h2 id="outcome">If it will not take place</h2>
      <p>
        It can be recorded as held from <When at={heldFrom} zone={zone} />, a few hours before it starts. If it will not take place, record
        it as skipped now, or move it below.
      </p>
      <ErrorSummary errors={errors} />
      <Form action={action} csrf={csrf} label="Record it as skipped">
        <input type="hidden" name="outcome" value="skipped" />
        <TextField {...bind('reason')} label="Why it is skipped" required />
        <button type="submit" class="secondary">
          Record it as skipped
        </button>
      </Form>
    </section>
  );
}

type ReviewRow = Awaited<ReturnType<typeof load>>;
type Open = { id: string; status: string; description: string; dueAt: Date; owner: { name: string } };

/** What the review is for: the open commitments and evidence, and the last reflections. */
function Agenda({
  review,
  commitments,
  evidence,
  lastHeld,
  answers,
  zone,
}: {
  review: ReviewRow;
  commitments: Open[];
  evidence: Open[];
  lastHeld: Parameters<typeof ReflectionSummary>[0]['review'] | null;
  answers: boolean;
  zone: string;
}) {
  return (
    <section aria-labelledby="agenda">
      <h2 id="agenda">On the agenda</h2>
      <p>Progress on what is open, the evidence gathered, decisions and next steps.</p>
      <h3>Open commitments</h3>
      {commitments.length === 0 ? (
        <p class="empty">None open.</p>
      ) : (
        <ul class="items">
          {commitments.map((c) => (
            <li key={c.id}>
              <Status value={c.status} /> <a href={pages.commitment(review.partnershipId, c.id)}>{c.description}</a>
              <span class="meta">
                {c.owner.name}, due <When at={c.dueAt} zone={zone} />
              </span>
            </li>
          ))}
        </ul>
      )}
      <h3>Evidence still to come</h3>
      {evidence.length === 0 ? (
        <p class="empty">None.</p>
      ) : (
        <ul class="items">
          {evidence.map((e) => (
            <li key={e.id}>
              <Status value={e.status} /> <a href={pages.evidence(review.partnershipId, e.id)}>{e.description}</a>
              <span class="meta">
                {e.owner.name}, due <When at={e.dueAt} zone={zone} />
              </span>
            </li>
          ))}
        </ul>
      )}
      {lastHeld && (
        <>
          <h3>The last reflections</h3>
          <ReflectionSummary review={lastHeld} answers={answers} />
        </>
      )}
      {review.status === 'held' && (
        <p>
          <a href={pages.reflection(review.partnershipId, review.id)}>Your reflection on this review</a>
        </p>
      )}
    </section>
  );
}

/**
 * The outcome of a review: held (notes, decisions, new commitments and evidence requests, a row of
 * each to start with and "Add another" without JavaScript) or skipped.
 */
function OutcomeForm({
  action,
  csrf,
  missed,
  timeZone,
  members,
  values: v,
  errors,
}: {
  action: string;
  csrf: string;
  missed: boolean;
  timeZone: string;
  members: { value: string; label: string }[];
  values: Record<string, string>;
  errors: Issue[];
}) {
  const bind = binder(v, errors);
  const commitmentRows = rowsOf(v, 'c');
  const evidenceRows = rowsOf(v, 'e');
  return (
    <section aria-labelledby="outcome">
      <h2 id="outcome">{missed ? 'Record it late' : 'Record the outcome'}</h2>
      {missed && <p>This review was marked missed. If it took place, or was skipped, record it until the next review begins.</p>}
      <ErrorSummary errors={errors} />
      <Form action={action} csrf={csrf} label="Outcome">
        <input type="hidden" name="c.rows" value={String(commitmentRows)} />
        <input type="hidden" name="e.rows" value={String(evidenceRows)} />
        <fieldset>
          <legend>What happened</legend>
          <label class="choice">
            <input type="radio" name="outcome" value="held" checked={(v.outcome ?? 'held') === 'held'} /> It was held
          </label>
          <label class="choice">
            <input type="radio" name="outcome" value="skipped" checked={v.outcome === 'skipped'} /> It was skipped
          </label>
        </fieldset>
        <TextArea {...bind('notes')} label="Notes" hint="If it was held: what was discussed." />
        <TextArea {...bind('decisions')} label="Decisions" hint="One per line." rows={3} />
        <CommitmentRows rows={commitmentRows} timeZone={timeZone} members={members} values={v} errors={errors} />
        <EvidenceRows rows={evidenceRows} members={members} values={v} errors={errors} />
        <TextField {...bind('reason')} label="Why it was skipped" hint="Needed when it was skipped." />
        <button type="submit">Record the outcome</button>
      </Form>
    </section>
  );
}

/** New commitments at the review: description, owner, whose work, due date; one row more on "Add another". */
function CommitmentRows({
  rows,
  timeZone,
  members,
  values: v,
  errors,
}: {
  rows: number;
  timeZone: string;
  members: { value: string; label: string }[];
  values: Record<string, string>;
  errors: Issue[];
}) {
  return (
    <fieldset>
      <legend>New commitments (leave a row empty to skip it; due at 5 PM, {timeZone})</legend>
      {Array.from({ length: rows }, (_, i) => (
        <div class="row" key={`c${i}`}>
          <TextField
            name={`c${i}.description`}
            label={`Commitment ${i + 1}`}
            value={v[`c${i}.description`]}
            error={errorOf(errors, `commitments.${i}.description`)}
          />
          <Select
            name={`c${i}.owner`}
            label="Owner"
            value={v[`c${i}.owner`]}
            options={members}
            error={errorOf(errors, `commitments.${i}.ownerId`)}
          />
          <Select
            name={`c${i}.side`}
            label="Whose work"
            value={v[`c${i}.side`] ?? ''}
            options={[
              { value: '', label: "The owner's side" },
              { value: 'district', label: 'The district' },
              { value: 'partner', label: 'The partner' },
              { value: 'shared', label: 'Both sides' },
            ]}
          />
          <TextField
            name={`c${i}.due`}
            label="Due on"
            type="date"
            value={v[`c${i}.due`]}
            error={errorOf(errors, `commitments.${i}.dueAt`)}
          />
        </div>
      ))}
      {rows < MAX_ROWS && (
        <button type="submit" name="add" value="c" class="link" formnovalidate>
          Add another commitment
        </button>
      )}
    </fieldset>
  );
}

/** Evidence to gather: description, who provides it, kind, due date. */
function EvidenceRows({
  rows,
  members,
  values: v,
  errors,
}: {
  rows: number;
  members: { value: string; label: string }[];
  values: Record<string, string>;
  errors: Issue[];
}) {
  return (
    <fieldset>
      <legend>Evidence to gather (leave a row empty to skip it)</legend>
      {Array.from({ length: rows }, (_, i) => (
        <div class="row" key={`e${i}`}>
          <TextField
            name={`e${i}.description`}
            label={`Evidence ${i + 1}`}
            value={v[`e${i}.description`]}
            error={errorOf(errors, `evidenceRequests.${i}.description`)}
          />
          <Select
            name={`e${i}.owner`}
            label="Who provides it"
            value={v[`e${i}.owner`]}
            options={members}
            error={errorOf(errors, `evidenceRequests.${i}.ownerId`)}
          />
          <Select name={`e${i}.kind`} label="Kind" value={v[`e${i}.kind`] ?? 'observation'} options={EVIDENCE_KINDS} />
          <TextField
            name={`e${i}.due`}
            label="Due on"
            type="date"
            value={v[`e${i}.due`]}
            error={errorOf(errors, `evidenceRequests.${i}.dueAt`)}
          />
        </div>
      ))}
      {rows < MAX_ROWS && (
        <button type="submit" name="add" value="e" class="link" formnovalidate>
          Add more evidence
        </button>
      )}
    </fieldset>
  );
}

/** Moving a review that is still ahead: a new local date and time, everyone gets the new invitation. */
function MoveForm({ action, csrf, timeZone, at, errors }: { action: string; csrf: string; timeZone: string; at: string; errors: Issue[] }) {
  return (
    <section aria-labelledby="move">
      <h2 id="move">Move the review</h2>
      <Form action={action} csrf={csrf} label="Move the review">
        <TextField
          name="at"
          label={`New date and time (${timeZone})`}
          type="datetime-local"
          value={at}
          error={errorOf(errors, 'at')}
          required
        />
        <button type="submit" class="secondary">
          Move it
        </button>
      </Form>
    </section>
  );
}

/**
 * How many commitment ("c") or evidence ("e") rows the outcome form shows: as many as it showed
 * before, one more when "Add another" was pressed.
 */
function rowsOf(values: Record<string, string>, prefix: 'c' | 'e'): number {
  const shown = Number(values[`${prefix}.rows`]);
  const rows = Number.isInteger(shown) && shown >= 1 ? shown : 1;
  return Math.min(MAX_ROWS, rows + (values.add === prefix ? 1 : 0));
}

/** The outcome form, as the action that the API's route also calls takes it; or the form with a row more. */
export async function saveOutcome(ctx: PageContext): Promise<Outcome> {
  const review = await load(ctx);
  const f = ctx.form;
  if (f.add === 'c' || f.add === 'e') return reviewPage(ctx, { values: f });
  const zone = review.partnership.timeZone;
  const errors: Issue[] = [];
  const due = (value: string | undefined, path: string) => {
    const day = value ? DateTime.fromISO(value, { zone }) : null;
    if (!day?.isValid) {
      errors.push({ path, message: 'Give the day it is due' });
      return '';
    }
    return day.set({ hour: DUE_HOUR }).toUTC().toISO() as string;
  };
  let input: OutcomeInput;
  if (f.outcome === 'skipped') {
    if (!f.reason?.trim()) errors.push({ path: 'reason', message: 'Say why the review was skipped' });
    input = { outcome: 'skipped', reason: f.reason?.trim() ?? '' };
  } else {
    const filled = (prefix: string, i: number) => Boolean(f[`${prefix}${i}.description`]?.trim());
    const owner = (prefix: string, i: number, path: string) => {
      if (!f[`${prefix}${i}.owner`]) errors.push({ path, message: 'Choose who owns it' });
      return { id: f[`${prefix}${i}.owner`] ?? '' };
    };
    input = {
      outcome: 'held',
      notes: f.notes?.trim() || undefined,
      decisions: (f.decisions ?? '')
        .split('\n')
        .map((d) => d.trim())
        .filter(Boolean),
      commitments: Array.from({ length: rowsOf({ ...f, add: '' }, 'c') }, (_, i) => i)
        .filter((i) => filled('c', i))
        .map((i) => ({
          description: (f[`c${i}.description`] ?? '').trim(),
          owner: owner('c', i, `commitments.${i}.ownerId`),
          // Left at "the owner's side", the command takes the owner's.
          side: SIDES.find((s) => s === f[`c${i}.side`]),
          dueAt: due(f[`c${i}.due`], `commitments.${i}.dueAt`),
        })),
      evidenceRequests: Array.from({ length: rowsOf({ ...f, add: '' }, 'e') }, (_, i) => i)
        .filter((i) => filled('e', i))
        .map((i) => ({
          description: (f[`e${i}.description`] ?? '').trim(),
          owner: owner('e', i, `evidenceRequests.${i}.ownerId`),
          kinds: [(EVIDENCE_KINDS.find((k) => k.value === f[`e${i}.kind`])?.value ?? 'other') as EvidenceKind],
          dueAt: due(f[`e${i}.due`], `evidenceRequests.${i}.dueAt`),
        })),
    };
  }
  if (errors.length) return reviewPage(ctx, { errors, values: f });
  try {
    await recordOutcome(ctx.deps, ctx.me, review.partnershipId, review.id, input);
  } catch (e) {
    return reviewPage(ctx, { errors: formIssues(e, 'outcome'), values: f });
  }
  return {
    redirect: pages.review(review.partnershipId, review.id),
    flash:
      input.outcome === 'held' ? 'The review is recorded as held. Everyone is asked to reflect.' : 'The review is recorded as skipped.',
  };
}

export async function saveReschedule(ctx: PageContext): Promise<Outcome> {
  const review = await load(ctx);
  const f = ctx.form;
  const at = fromLocalInput(f.at, review.partnership.timeZone);
  if (!at) return reviewPage(ctx, { errors: [{ path: 'at', message: 'Give a date and a time' }], values: f });
  try {
    await rescheduleReview(ctx.deps, ctx.me, review.partnershipId, review.id, { at });
  } catch (e) {
    return reviewPage(ctx, { errors: formIssues(e, 'at'), values: f });
  }
  return { redirect: pages.review(review.partnershipId, review.id), flash: 'The review is moved; everyone gets the new invitation.' };
}

import type { Request } from 'express';
import type { ComponentChildren } from 'preact';
import {
  completeCommitment,
  dropCommitment,
  extendCommitment,
  extendEvidenceRequest,
  submitEvidence,
  waiveEvidenceRequest,
} from '../../core/deadlines/commands.js';
import { reviewEvidence } from '../../core/deadlines/evidence-review.js';
import { ACCEPTED_FILES, EVIDENCE_MAX_BYTES } from '../../core/deadlines/files.js';
import { EVIDENCE_KINDS, evidenceKindLabel } from '../../core/deadlines/schemas.js';
import { pages } from '../../core/pages.js';
import type { PersonPrincipal } from '../../core/people/principal.js';
import { partnershipScope, standingIn } from '../../core/people/rights.js';
import { chosenZone } from '../../core/people/zone.js';
import type { Db } from '../../lib/db/client.js';
import { NotFoundError, ValidationError } from '../../lib/errors.js';
import type { EvidenceKind } from '../../workflows/deadlines/messages.js';
import { Comments, commentsFor } from '../comments/comments.js';
import { fromLocalInput, localInput, Status, When } from '../http/format.js';
import { Checkbox, Crumb, ErrorSummary, errorOf, Form, formState, Select, TextArea, TextField } from '../http/layout.js';
import { formIssues, type Outcome, type PageContext } from '../http/pages.js';

type Issue = { path: string; message: string };
type State = { errors?: Issue[]; values?: Record<string, string>; form?: string };

const params = (ctx: PageContext) => ctx.req.params as { partnershipId: string; id: string };

/** Forms shared by commitments and evidence: more time (the owner or a lead), dropping (leads). */
function ExtendForm({ action, csrf, zone, dueAt, state }: { action: string; csrf: string; zone: string; dueAt: Date; state: State }) {
  const { errors, bind } = formState(state, { form: 'extend', defaults: { dueAt: localInput(dueAt, zone) } });
  return (
    <section aria-labelledby="extend">
      <h2 id="extend">Ask for more time</h2>
      <ErrorSummary errors={errors} />
      <Form action={action} csrf={csrf} label="More time">
        <TextField {...bind('dueAt')} label={`New due date and time (${zone})`} type="datetime-local" required />
        <TextArea {...bind('reason')} label="Why" required rows={2} />
        <button type="submit" class="secondary">
          Move the due date
        </button>
      </Form>
    </section>
  );
}

function CloseForm({
  action,
  csrf,
  title,
  button,
  state,
  form,
}: {
  action: string;
  csrf: string;
  title: string;
  button: string;
  state: State;
  form: string;
}) {
  const errors = state.form === form ? (state.errors ?? []) : [];
  return (
    <section aria-labelledby={form}>
      <h2 id={form}>{title}</h2>
      <ErrorSummary errors={errors} />
      <Form action={action} csrf={csrf} label={title}>
        <TextArea
          name="reason"
          label="Why"
          required
          rows={2}
          error={errorOf(errors, 'reason')}
          value={state.form === form ? state.values?.reason : undefined}
        />
        <button type="submit" class="secondary">
          {button}
        </button>
      </Form>
    </section>
  );
}

function History({ extensions, zone }: { extensions: { id: string; fromDueAt: Date; toDueAt: Date; reason: string }[]; zone: string }) {
  if (extensions.length === 0) return null;
  return (
    <section aria-labelledby="history">
      <h2 id="history">Extensions</h2>
      <ul class="items">
        {extensions.map((x) => (
          <li key={x.id}>
            From <When at={x.fromDueAt} zone={zone} /> to <When at={x.toDueAt} zone={zone} />: {x.reason}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** A commitment: its owner marks it done or asks for more time; a lead may do so for them, or drop it. */
/**
 * What both deadline pages work out first: the zone the reader reads times in, where they stand in
 * the partnership, whether they may act on it (its owner, or a lead for them), whether it is open.
 */
async function readerOf(
  ctx: PageContext,
  d: { ownerId: string; status: string; partnership: Parameters<typeof standingIn>[2] & { timeZone: string } },
) {
  const zone = (await chosenZone(ctx.deps.db, ctx.me.id)) ?? d.partnership.timeZone;
  const standing = await standingIn(ctx.deps.db, ctx.me, d.partnership);
  return { zone, standing, mayAct: d.ownerId === ctx.me.id || standing.leads, open: d.status === 'open' || d.status === 'overdue' };
}

/** The end of a deadline's page, either kind: how its due date moved, then its comments. */
async function historyAndComments(
  ctx: PageContext,
  kind: 'commitment' | 'evidence_request',
  d: Pick<Parameters<typeof History>[0], 'extensions'> & { id: string; partnershipId: string },
  { base, zone, standing }: { base: string; zone: string; standing: Awaited<ReturnType<typeof readerOf>>['standing'] },
  state: State,
) {
  return (
    <>
      <History extensions={d.extensions} zone={zone} />
      <Comments
        comments={await commentsFor(ctx.deps.db, d.partnershipId, kind, d.id)}
        action={`${base}/comments`}
        csrf={ctx.csrf}
        zone={zone}
        mayComment={standing.role !== null || standing.manages}
        state={state}
      />
    </>
  );
}

/** The top of a deadline's page: its partnership, what it is, its status, whose it is, when it is due, how it closed. */
function Heading(props: {
  d: { description: string; status: string; dueAt: Date; closeNote: string | null; partnership: { id: string; name: string } };
  zone: string;
  children: ComponentChildren;
  after?: string;
}) {
  const { d } = props;
  return (
    <>
      <Crumb href={pages.partnership(d.partnership.id)}>{d.partnership.name}</Crumb>
      <h1>{d.description}</h1>
      <p class="meta">
        <Status value={d.status} /> {props.children} · due <When at={d.dueAt} zone={props.zone} />
        {props.after}
      </p>
      {d.closeNote && <p class="notes">{d.closeNote}</p>}
    </>
  );
}

export async function commitmentPage(ctx: PageContext, state: State = {}): Promise<Outcome> {
  const { partnershipId, id } = params(ctx);
  const c = await ctx.deps.db.commitment.findFirst({
    where: { id, partnershipId, partnership: partnershipScope(ctx.me) },
    include: { owner: true, partnership: true, extensions: { orderBy: { createdAt: 'asc' } } },
  });
  if (!c) throw new NotFoundError(`Commitment ${id} does not exist`);
  const { zone, standing, mayAct, open } = await readerOf(ctx, c);
  const base = pages.commitment(partnershipId, id);
  const errors = state.form === 'complete' ? (state.errors ?? []) : [];
  return {
    title: c.description,
    status: state.errors?.length ? 400 : 200,
    body: (
      <>
        <Heading d={c} zone={zone}>
          Owned by {c.owner.name} ({c.side})
        </Heading>
        {open && mayAct && (
          <>
            <section aria-labelledby="done">
              <h2 id="done">Mark it done</h2>
              {c.ownerId !== ctx.me.id && <p>You are a lead of this partnership: it is recorded that you did it for {c.owner.name}.</p>}
              <ErrorSummary errors={errors} />
              <Form action={`${base}/complete`} csrf={ctx.csrf} label="Mark it done">
                <TextArea name="note" label="Note (optional)" rows={2} value={state.form === 'complete' ? state.values?.note : undefined} />
                <button type="submit">Mark it done</button>
              </Form>
            </section>
            <ExtendForm action={`${base}/extend`} csrf={ctx.csrf} zone={zone} dueAt={c.dueAt} state={state} />
            {standing.leads && (
              <CloseForm action={`${base}/drop`} csrf={ctx.csrf} title="Drop it" button="Drop the commitment" state={state} form="drop" />
            )}
          </>
        )}
        {open && !mayAct && <p>Only {c.owner.name}, or a lead of the partnership, can change it.</p>}
        {await historyAndComments(ctx, 'commitment', c, { base, zone, standing }, state)}
      </>
    ),
  };
}

/** An evidence request: its owner submits evidence (a link, a text, a file) or asks for more time. */
export async function evidencePage(ctx: PageContext, state: State = {}): Promise<Outcome> {
  const { partnershipId, id } = params(ctx);
  const r = await loadRequest(ctx.deps.db, ctx.me, partnershipId, id);
  if (!r) throw new NotFoundError(`Evidence request ${id} does not exist`);
  const { zone, standing, mayAct, open } = await readerOf(ctx, r);
  const base = pages.evidence(partnershipId, id);
  return {
    title: r.description,
    status: state.errors?.length ? 400 : 200,
    body: (
      <>
        <Heading d={r} zone={zone} after={` · ${r.kinds.map((k) => evidenceKindLabel(k)).join(', ')}`}>
          Asked of {r.owner.name}
        </Heading>
        <Received items={r.items} base={base} zone={zone} />
        {r.status !== 'waived' && mayAct && <SubmitForm r={r} me={ctx.me.id} base={base} csrf={ctx.csrf} state={state} />}
        {open && mayAct && <ExtendForm action={`${base}/extend`} csrf={ctx.csrf} zone={zone} dueAt={r.dueAt} state={state} />}
        {open && standing.leads && (
          <CloseForm action={`${base}/waive`} csrf={ctx.csrf} title="Waive it" button="Waive the request" state={state} form="waive" />
        )}
        {open && !mayAct && <p>Only {r.owner.name}, or a lead of the partnership, can submit it.</p>}
        {r.status === 'submitted' && !r.acceptedAt && standing.leads && r.ownerId !== ctx.me.id && (
          <ReviewForm r={r} rubric={r.partnership.evidenceRubric} base={base} csrf={ctx.csrf} zone={zone} state={state} />
        )}
        <Verdicts reviews={r.reviews} zone={zone} />
        {await historyAndComments(ctx, 'evidence_request', r, { base, zone, standing }, state)}
      </>
    ),
  };
}

function loadRequest(db: Db, me: PersonPrincipal, partnershipId: string, id: string) {
  return db.evidenceRequest.findFirst({
    where: { id, partnershipId, partnership: partnershipScope(me) },
    include: {
      owner: true,
      partnership: true,
      extensions: { orderBy: { createdAt: 'asc' } },
      reviews: { orderBy: { createdAt: 'asc' } },
      items: {
        include: { submittedBy: true, file: { select: { id: true, filename: true, size: true } } },
        orderBy: { submittedAt: 'asc' },
      },
    },
  });
}

type EvidenceRequest = NonNullable<Awaited<ReturnType<typeof loadRequest>>>;

function Received({ items, base, zone }: { items: EvidenceRequest['items']; base: string; zone: string }) {
  return (
    <section aria-labelledby="items">
      <h2 id="items">Evidence received</h2>
      {items.length === 0 ? (
        <p class="empty">None yet.</p>
      ) : (
        <ul class="items">
          {items.map((i) => (
            <li key={i.id}>
              {evidenceKindLabel(i.kind)} from {i.submittedBy.name}, <When at={i.submittedAt} zone={zone} />
              {i.link && (
                <p>
                  <a href={i.link} rel="noopener noreferrer nofollow">
                    {i.link}
                  </a>
                </p>
              )}
              {i.text && <p class="notes">{i.text}</p>}
              {i.file && (
                <p>
                  <a href={`${base}/files/${i.file.id}`} download>
                    {i.file.filename}
                  </a>{' '}
                  <span class="meta">({Math.ceil(i.file.size / 1024)} KiB)</span>
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/**
 * A lead other than its owner looks at what was submitted (core/deadlines/evidence-review.ts): one
 * form, two answers. The comment and the new due date are needed only to send it back; the
 * partnership's rubric, if it has one, is judged either way.
 */
function ReviewForm({
  r,
  rubric,
  base,
  csrf,
  zone,
  state,
}: {
  r: EvidenceRequest;
  rubric: string[];
  base: string;
  csrf: string;
  zone: string;
  state: State;
}) {
  const { errors, v, bind } = formState(state, { form: 'review' });
  return (
    <section aria-labelledby="review">
      <h2 id="review">Look at the evidence</h2>
      <p>
        Accept it, or send it back to {r.owner.name} with what to change and when it is due again: the request opens again, and they are
        told by mail.
      </p>
      <ErrorSummary errors={errors} />
      <Form action={`${base}/review`} csrf={csrf} label="Look at the evidence">
        {rubric.length > 0 && (
          <fieldset class={errorOf(errors, 'rubric') ? 'invalid' : undefined}>
            <legend>The partnership's rubric: tick each criterion the evidence meets</legend>
            {rubric.map((c, i) => (
              <Checkbox key={c} name={`rubric.${i}`} id={`f-rubric-${i}`} label={c} checked={v[`rubric.${i}`] === 'on'} />
            ))}
          </fieldset>
        )}
        <TextArea {...bind('comment')} label="Comment (to send it back: what to change)" rows={2} />
        <TextField {...bind('dueAt')} label={`Due again, to send it back (${zone})`} type="datetime-local" />
        <p class="actions">
          <button type="submit" name="verdict" value="accepted">
            Accept the evidence
          </button>{' '}
          <button type="submit" name="verdict" value="sent_back" class="secondary">
            Send it back
          </button>
        </p>
      </Form>
    </section>
  );
}

function Verdicts({ reviews, zone }: { reviews: EvidenceRequest['reviews']; zone: string }) {
  if (reviews.length === 0) return null;
  return (
    <section aria-labelledby="verdicts">
      <h2 id="verdicts">Looked at</h2>
      <ul class="items">
        {reviews.map((v) => (
          <li key={v.id}>
            {v.verdict === 'accepted' ? 'Accepted' : 'Sent back'} by {v.onBehalfOfName ?? v.actorName ?? 'a lead'},{' '}
            <When at={v.createdAt} zone={zone} />
            {v.dueAt && (
              <>
                {' '}
                · due again <When at={v.dueAt} zone={zone} />
              </>
            )}
            {Array.isArray(v.rubric) && v.rubric.length > 0 && (
              <ul>
                {(v.rubric as { criterion: string; met: boolean }[]).map((j) => (
                  <li key={j.criterion}>
                    {j.met ? 'Meets' : 'Does not meet'}: {j.criterion}
                  </li>
                ))}
              </ul>
            )}
            {v.comment && <p class="notes">{v.comment}</p>}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Submitting evidence (a link, a text or a file), by its owner or a lead on their behalf. */
function SubmitForm({ r, me, base, csrf, state }: { r: EvidenceRequest; me: string; base: string; csrf: string; state: State }) {
  const { errors, v, bind } = formState(state, { form: 'submit' });
  return (
    <section aria-labelledby="submit">
      <h2 id="submit">{r.status === 'submitted' ? 'Add more evidence' : 'Submit evidence'}</h2>
      {r.ownerId !== me && <p>You are a lead of this partnership: it is recorded that you did it for {r.owner.name}.</p>}
      <ErrorSummary errors={errors} />
      <Form action={`${base}/items`} csrf={csrf} multipart label="Submit evidence">
        <Select name="kind" label="Kind" value={v.kind ?? r.kinds[0]} options={EVIDENCE_KINDS} error={errorOf(errors, 'kind')} />
        <TextField {...bind('link')} label="A link (optional)" type="url" hint="To a shared document, for instance." />
        <TextArea {...bind('text')} label="Or a text (optional)" />
        <div class={errorOf(errors, 'file') ? 'field invalid' : 'field'}>
          <label for="f-file">Or a file (optional)</label>
          <p class="hint" id="f-file-hint">
            Up to {EVIDENCE_MAX_BYTES / 1024 / 1024} MiB: {ACCEPTED_FILES}.
          </p>
          {errorOf(errors, 'file') && (
            <p class="field-error" id="f-file-error">
              {errorOf(errors, 'file')}
            </p>
          )}
          <input
            id="f-file"
            name="file"
            type="file"
            aria-describedby={errorOf(errors, 'file') ? 'f-file-hint f-file-error' : 'f-file-hint'}
          />
        </div>
        <button type="submit">Submit evidence</button>
      </Form>
    </section>
  );
}

/** Runs a deadline action; a refusal shows the page again with the reason at its form. */
async function act(
  ctx: PageContext,
  form: string,
  page: (ctx: PageContext, state: State) => Promise<Outcome>,
  run: () => Promise<unknown>,
  flash: string,
): Promise<Outcome> {
  const values = ctx.form;
  try {
    await run();
  } catch (e) {
    const field = { extend: 'dueAt', review: 'comment' }[form] ?? 'reason';
    return page(ctx, { errors: formIssues(e, field), values, form });
  }
  const { partnershipId, id } = params(ctx);
  return { redirect: page === commitmentPage ? pages.commitment(partnershipId, id) : pages.evidence(partnershipId, id), flash };
}

async function zoneOfDeadline(ctx: PageContext) {
  const p = await ctx.deps.db.partnership.findUnique({ where: { id: params(ctx).partnershipId }, select: { timeZone: true } });
  return p?.timeZone ?? 'UTC';
}

/** Asking for more time, the same for a commitment and an evidence request: the date is read in the partnership's zone. */
function extendAction(
  page: typeof commitmentPage,
  extend: (deps: PageContext['deps'], me: PageContext['me'], id: string, input: { dueAt: string; reason: string }) => Promise<unknown>,
) {
  return async (ctx: PageContext) => {
    const dueAt = fromLocalInput(ctx.form.dueAt, await zoneOfDeadline(ctx));
    if (!dueAt) {
      return page(ctx, {
        form: 'extend',
        errors: [{ path: 'dueAt', message: 'Give a date and a time' }],
        values: ctx.form,
      });
    }
    return act(
      ctx,
      'extend',
      page,
      () => extend(ctx.deps, ctx.me, params(ctx).id, { dueAt, reason: ctx.form.reason?.trim() ?? '' }),
      'The due date is moved.',
    );
  };
}

export const commitmentActions = {
  complete: (ctx: PageContext) =>
    act(
      ctx,
      'complete',
      commitmentPage,
      () => completeCommitment(ctx.deps, ctx.me, params(ctx).id, { note: ctx.form.note?.trim() || undefined }),
      'Marked done. Thank you.',
    ),
  extend: extendAction(commitmentPage, extendCommitment),
  drop: (ctx: PageContext) =>
    act(
      ctx,
      'drop',
      commitmentPage,
      () => dropCommitment(ctx.deps, ctx.me, params(ctx).id, { reason: ctx.form.reason?.trim() ?? '' }),
      'The commitment is dropped.',
    ),
};

export const evidenceActions = {
  submit: (ctx: PageContext) => {
    const f = ctx.form;
    const file = (ctx.req as Request & { file?: { originalname: string; mimetype: string; buffer: Buffer } }).file;
    const kind = (EVIDENCE_KINDS.find((k) => k.value === f.kind)?.value ?? 'other') as EvidenceKind;
    if (!f.link?.trim() && !f.text?.trim() && !file) {
      return evidencePage(ctx, {
        form: 'submit',
        errors: [{ path: 'link', message: 'Give a link, a text or a file' }],
        values: f as Record<string, string>,
      });
    }
    if (f.link?.trim() && !/^https?:\/\/\S+$/.test(f.link.trim())) {
      return evidencePage(ctx, {
        form: 'submit',
        errors: [{ path: 'link', message: 'A link starts with https:// or http://' }],
        values: f as Record<string, string>,
      });
    }
    return act(
      ctx,
      'submit',
      evidencePage,
      () =>
        submitEvidence(ctx.deps, ctx.me, params(ctx).id, {
          kind,
          link: f.link?.trim() || undefined,
          text: f.text?.trim() || undefined,
          file: file ? { filename: file.originalname, declaredType: file.mimetype, data: file.buffer } : undefined,
        }),
      'Thank you: the evidence is in.',
    );
  },
  extend: extendAction(evidencePage, extendEvidenceRequest),
  review: async (ctx: PageContext) => {
    const f = ctx.form;
    const comment = f.comment?.trim() || undefined;
    const run = async () => {
      const { evidenceRubric } = await ctx.deps.db.partnership.findUniqueOrThrow({ where: { id: params(ctx).partnershipId } });
      const rubric = evidenceRubric.map((criterion, i) => ({ criterion, met: f[`rubric.${i}`] === 'on' }));
      if (f.verdict !== 'sent_back') return reviewEvidence(ctx.deps, ctx.me, params(ctx).id, { verdict: 'accepted', comment, rubric });
      const dueAt = fromLocalInput(f.dueAt, await zoneOfDeadline(ctx));
      if (!dueAt)
        throw new ValidationError('Give a date and a time', [{ path: 'dueAt', message: 'Give the date and time it is due again' }]);
      if (!comment) throw new ValidationError('Say what to change', [{ path: 'comment', message: 'Say what to change' }]);
      return reviewEvidence(ctx.deps, ctx.me, params(ctx).id, { verdict: 'sent_back', comment, dueAt, rubric });
    };
    return act(
      ctx,
      'review',
      evidencePage,
      run,
      f.verdict === 'sent_back' ? 'Sent back: they are told what to change.' : 'The evidence is accepted.',
    );
  },
  waive: (ctx: PageContext) =>
    act(
      ctx,
      'waive',
      evidencePage,
      () => waiveEvidenceRequest(ctx.deps, ctx.me, params(ctx).id, { reason: ctx.form.reason?.trim() ?? '' }),
      'The request is waived.',
    ),
};

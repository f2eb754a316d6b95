import { DateTime } from 'luxon';
import type { ComponentChildren } from 'preact';
import { pages } from '../../core/pages.js';
import { checkNewPartnership, writePartnership } from '../../core/partnerships/create.js';
import { type ImportRow, rowToPartnership } from '../../core/partnerships/import.js';
import { cohortScope } from '../../core/people/rights.js';
import { type Blackout, upcomingReviews } from '../../core/reviews/recurrence.js';
import { planOrThrow } from '../../core/reviews/schedule.js';
import { calendarBlackouts } from '../../core/reviews/school-calendar.js';
import { type FieldIssue, ValidationError } from '../../lib/errors.js';
import { PATHWAY_LABELS } from '../http/format.js';
import { Choices, Crumb, ErrorSummary, errorOf, Form, formState, Select, TextArea, TextField } from '../http/layout.js';
import { MonthGrid } from '../http/month.js';
import { formIssues, type Outcome, type PageContext } from '../http/pages.js';
import { TimeZoneSelect } from '../http/time-zone.js';

/**
 * Setting a partnership up from the web: the district and partner, what it sets out to do, its
 * pathway, planned start and end, its people, and its rhythm, previewed as a calendar (with what
 * each blackout, its own or its district's and cohort's school calendars, moved) before it is
 * created. The fields are those of the cohort import (core/partnerships/import.ts), checked and written by
 * the same code as POST /partnerships.
 */

type Values = Record<string, string>;
type State = { values?: Values; errors?: FieldIssue[]; preview?: Preview };
type Preview = { zone: string; reviews: { at: number; movedFrom?: number; movedBy?: string }[] };

const REPEATS = [
  { value: 'quarterly-weekday', label: 'Every 3 months, on the same weekday of the month (e.g. the 2nd Tuesday)' },
  { value: 'quarterly-date', label: 'Every 3 months, on the same date' },
  { value: 'monthly-weekday', label: 'Every month, on the same weekday of the month' },
  { value: 'once', label: 'Only this review: I will plan the next ones' },
];
const PATHWAYS = [{ value: '', label: 'Not set' }, ...Object.entries(PATHWAY_LABELS).map(([value, label]) => ({ value, label }))];

/** The RRULE of a repeat choice, from the first review's local date. */
function ruleOf(repeat: string, first: DateTime): string | null {
  const day = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'][first.weekday - 1];
  const nth = Math.ceil(first.day / 7);
  const pos = nth >= 5 ? -1 : nth;
  switch (repeat) {
    case 'quarterly-weekday':
      return `FREQ=MONTHLY;INTERVAL=3;BYDAY=${day};BYSETPOS=${pos}`;
    case 'quarterly-date':
      return `FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=${first.day}`;
    case 'monthly-weekday':
      return `FREQ=MONTHLY;BYDAY=${day};BYSETPOS=${pos}`;
    default:
      return null;
  }
}

/** "2026-12-21 to 2027-01-01 Winter break", one a line; or the line that is not one. */
function blackoutsOf(text: string): { blackouts: Blackout[]; bad?: string } {
  const blackouts: Blackout[] = [];
  for (const line of text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)) {
    const m = /^(\d{4}-\d\d-\d\d)(?:\s*(?:to|-|–)\s*(\d{4}-\d\d-\d\d))?\s*(.*)$/.exec(line);
    if (!m) return { blackouts, bad: line };
    blackouts.push({ start: m[1] as string, end: (m[2] ?? m[1]) as string, ...(m[3]?.trim() && { label: m[3].trim().slice(0, 100) }) });
  }
  return { blackouts };
}

/** The form as the import's row, plus its blackouts; every mistake as the form's field issues. */
function bodyOf(v: Values) {
  const zone = v.time_zone?.trim() || 'UTC';
  const first = DateTime.fromISO(v.first_review ?? '', { zone });
  const issues: FieldIssue[] = [];
  if (!first.isValid) issues.push({ path: 'first_review', message: 'Give the date and time of the first review' });
  const rule = first.isValid ? ruleOf(v.repeat ?? '', first) : null;
  const row: ImportRow = {
    name: v.name,
    district: v.district,
    partner: v.partner,
    time_zone: v.time_zone,
    ...(first.isValid &&
      (rule ? { recurrence_rule: rule, recurrence_start: first.toFormat("yyyy-LL-dd'T'HH:mm") } : { first_review_at: v.first_review })),
    goals: v.goals,
    shared_framework: v.shared_framework,
    engagement_pathway: v.engagement_pathway,
    planned_start: v.planned_start,
    planned_end: v.planned_end,
    executive_sponsor: v.executive_sponsor,
    district_lead: v.district_lead,
    partner_lead: v.partner_lead,
    district_participants: v.district_participants,
    partner_participants: v.partner_participants,
  };
  const { blackouts, bad } = blackoutsOf(v.blackouts ?? '');
  if (bad) issues.push({ path: 'blackouts', message: `"${bad.slice(0, 60)}" is not a date or "start to end" with a label` });
  // One criterion a line (a criterion may hold the semicolon the file's column separates them by).
  const rubric = (v.evidence_rubric ?? '')
    .split(/\r?\n/)
    .map((c) => c.trim())
    .filter(Boolean);
  const converted = rowToPartnership(row, 0, v.cohort || undefined, { blackouts, ...(rubric.length && { evidenceRubric: rubric }) });
  const columnOf = (c: string) => (c === 'first_review_at' || c === 'recurrence_rule' || c === 'recurrence_start' ? 'first_review' : c);
  issues.push(...converted.issues.map((i) => ({ path: columnOf(i.column), message: i.message })));
  return { body: issues.length ? undefined : converted.body, issues };
}

export async function newPartnershipPage(ctx: PageContext, state: State = {}): Promise<Outcome> {
  const cohorts = await ctx.deps.db.cohort.findMany({
    where: cohortScope(ctx.me),
    select: { id: true, name: true },
    orderBy: { name: 'asc' },
  });
  const { errors, v, bind } = formState(state, { defaults: { repeat: 'quarterly-weekday', time_zone: 'America/Chicago' } });
  const field = (name: string, label: string, hint?: string, type?: 'text' | 'email' | 'date' | 'datetime-local') => (
    <TextField {...bind(name)} label={label} hint={hint} type={type} />
  );
  return {
    title: 'New partnership',
    status: errors.length ? 400 : 200,
    body: (
      <>
        <Crumb href="/dashboard">Dashboard</Crumb>
        <h1>New partnership</h1>
        <ErrorSummary errors={errors} />
        {state.preview && <SchedulePreview preview={state.preview} />}
        <Form action="/dashboard/new" csrf={ctx.csrf} label="New partnership">
          <fieldset>
            <legend>Who</legend>
            {field('name', 'Name of the partnership')}
            {field('district', 'District', 'Created if Tandem does not know it yet.')}
            {field('partner', 'Partner organization', 'Created if Tandem does not know it yet.')}
            <Select
              name="cohort"
              label="Cohort"
              value={v.cohort}
              options={[{ value: '', label: 'None' }, ...cohorts.map((c) => ({ value: c.id, label: c.name }))]}
              error={errorOf(errors, 'cohortId')}
            />
          </fieldset>
          <fieldset>
            <legend>What it sets out to do</legend>
            <TextArea {...bind('goals')} label="Goals" rows={3} />
            <TextArea {...bind('shared_framework')} label="Shared framework" rows={3} />
            <Select name="engagement_pathway" label="Engagement pathway" value={v.engagement_pathway} options={PATHWAYS} />
            <TextArea
              {...bind('evidence_rubric')}
              label="Evidence rubric (optional)"
              hint="What submitted evidence is checked against: one criterion a line, up to 8."
              rows={3}
            />
            {field('planned_start', 'Planned start (optional)', 'It stays in planning, and nobody is mailed, until then.', 'date')}
            {field('planned_end', 'Planned end (optional)', 'It completes by itself then, with a notice to everyone.', 'date')}
          </fieldset>
          <fieldset>
            <legend>People</legend>
            <p class="hint">Each as Name &lt;email&gt;; several separated by a semicolon. At least one lead.</p>
            {field('district_lead', 'District lead')}
            {field('partner_lead', 'Partner lead')}
            {field('executive_sponsor', 'Executive sponsor (optional)')}
            {field('district_participants', 'District participants (optional)')}
            {field('partner_participants', 'Partner participants (optional)')}
          </fieldset>
          <fieldset>
            <legend>Rhythm</legend>
            <TimeZoneSelect name="time_zone" label="Time zone" value={v.time_zone} error={errorOf(errors, 'time_zone')} />
            {field('first_review', 'First review', 'Local date and time, in the time zone above.', 'datetime-local')}
            <Choices name="repeat" legend="After the first review" value={v.repeat} options={REPEATS} error={errorOf(errors, 'repeat')} />
            <TextArea
              {...bind('blackouts')}
              label="Days without reviews (optional)"
              hint="One a line: a date, or “2026-12-21 to 2027-01-01”, then a label. The district’s and cohort’s school calendars count too."
              rows={3}
            />
          </fieldset>
          <button type="submit" name="action" value="preview" class="secondary">
            Preview the schedule
          </button>{' '}
          <button type="submit" name="action" value="create">
            Create the partnership
          </button>
        </Form>
      </>
    ),
  };
}

function SchedulePreview({ preview }: { preview: Preview }) {
  const months = new Map<string, { month: DateTime; items: Map<number, ComponentChildren[]> }>();
  for (const r of preview.reviews) {
    const t = DateTime.fromMillis(r.at, { zone: preview.zone });
    const key = t.toFormat('yyyy-LL');
    const entry = months.get(key) ?? { month: t.startOf('month'), items: new Map() };
    const moved = r.movedFrom === undefined ? null : DateTime.fromMillis(r.movedFrom, { zone: preview.zone });
    entry.items.set(t.day, [
      ...(entry.items.get(t.day) ?? []),
      <>
        Review at {t.toFormat('h:mm a')}
        {moved && (
          <span class="meta">
            {' '}
            moved from {moved.toFormat('ccc, LLL d')} ({r.movedBy})
          </span>
        )}
      </>,
    ]);
    months.set(key, entry);
  }
  return (
    <section aria-labelledby="preview">
      <h2 id="preview">The first {preview.reviews.length} reviews</h2>
      <p>Times in {preview.zone}. Nothing is saved until you create the partnership.</p>
      {[...months.values()].map((m) => (
        <MonthGrid key={m.month.toISODate()} month={m.month} items={m.items} />
      ))}
    </section>
  );
}

export async function saveNewPartnership(ctx: PageContext): Promise<Outcome> {
  const values = ctx.form;
  const { body, issues } = bodyOf(values);
  if (!body) return newPartnershipPage(ctx, { values, errors: issues });
  try {
    const checked = await checkNewPartnership(ctx.deps.db, ctx.me, body, Date.now());
    if (values.action !== 'create') {
      // With the school calendars it would share: its district's (if Tandem knows it) and its cohort's.
      const district =
        'name' in body.district
          ? await ctx.deps.db.organization.findUnique({ where: { kind_name: { kind: 'district', name: body.district.name } } })
          : null;
      const shared = await calendarBlackouts(ctx.deps.db, { districtId: district?.id, cohortId: checked.cohortId });
      const { recurrence } = body;
      const reviews = recurrence
        ? planOrThrow(() =>
            upcomingReviews(
              { rrule: recurrence.rrule, start: recurrence.start, timeZone: body.timeZone, blackouts: [...body.blackouts, ...shared] },
              Date.now(),
              6,
            ),
          )
        : [{ at: checked.nextReviewAt }];
      return newPartnershipPage(ctx, { values, preview: { zone: body.timeZone, reviews } });
    }
    const { partnership } = await ctx.deps.db.$transaction((tx) => writePartnership(tx, ctx.deps, ctx.me, body, checked));
    return { redirect: pages.partnership(partnership.id), flash: 'The partnership is created: its members get their invitations.' };
  } catch (e) {
    if (e instanceof ValidationError) {
      const mapped = e.issues.map((i) => ({
        path: i.path.startsWith('recurrence') || i.path === 'firstReviewAt' ? 'first_review' : i.path,
        message: i.message,
      }));
      return newPartnershipPage(ctx, { values, errors: mapped.length ? mapped : [{ path: 'name', message: e.message }] });
    }
    return newPartnershipPage(ctx, { values, errors: formIssues(e, 'name') });
  }
}

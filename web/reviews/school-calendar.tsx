import type { Request } from 'express';
import { DateTime } from 'luxon';
import { pages } from '../../core/pages.js';
import { ownSettingsScope } from '../../core/people/rights.js';
import { chosenZone } from '../../core/people/zone.js';
import { importSchoolCalendar } from '../../core/reviews/school-calendar-import.js';
import { ValidationError } from '../../lib/errors.js';
import { Crumb, ErrorSummary, Form } from '../http/layout.js';
import { formIssues, type Outcome, type PageContext } from '../http/pages.js';
import { chosenTarget, settingsOwnerOf, targetChoices } from '../http/settings-owner.js';

/**
 * Importing a school calendar from the web: a cohort's (its coordinators) or a district's (its
 * admins), from the .ics file Google Calendar or Outlook exports; the page shows the days read and
 * each review that moved. The action is the API's (api/reviews/school-calendars.ts).
 */

type Result = Awaited<ReturnType<typeof importSchoolCalendar>>;
type State = { target?: string; errors?: { path: string; message: string }[]; result?: Result };

export async function schoolCalendarPage(ctx: PageContext, state: State = {}): Promise<Outcome> {
  const { db } = ctx.deps;
  const me = ctx.me;
  const scope = ownSettingsScope(me);
  const cohorts = await db.cohort.findMany({ where: scope.cohorts, include: { schoolCalendar: true }, orderBy: { name: 'asc' } });
  const districts = await db.organization.findMany({ where: scope.districts, include: { schoolCalendar: true }, orderBy: { name: 'asc' } });
  const targets = targetChoices(cohorts, districts);
  const chosen = chosenTarget(targets, state.target, ctx.req.query.target)?.value;
  const { result } = state;
  const readerZone = await chosenZone(db, me.id);
  return {
    title: 'School calendars',
    status: state.errors?.length ? 400 : 200,
    body: (
      <>
        <Crumb href="/dashboard">Dashboard</Crumb>
        <h1>School calendars</h1>
        <p>
          Import the calendar a district or a cohort keeps in Google Calendar or Outlook (export it as an .ics file): every day one of its
          events covers is a day without reviews for their partnerships, and each upcoming review that falls on one moves to the same
          weekday and time of the first week clear of it. A new file replaces the previous one.
        </p>
        {targets.length === 0 ? (
          <p class="empty">You coordinate no cohort and administer no district.</p>
        ) : (
          <>
            <ErrorSummary errors={state.errors ?? []} />
            <Form action="/dashboard/school-calendar" csrf={ctx.csrf} multipart label="Import a school calendar">
              <div class="field">
                <label for="f-target">Whose calendar</label>
                <select id="f-target" name="target" required>
                  {targets.map((t) => (
                    <option key={t.value} value={t.value} selected={t.value === chosen}>
                      {t.label}
                      {t.of.schoolCalendar ? ` (now: ${t.of.schoolCalendar.name})` : ''}
                    </option>
                  ))}
                </select>
              </div>
              <div class={state.errors?.length ? 'field invalid' : 'field'}>
                <label for="f-file">The .ics file</label>
                {state.errors?.length ? (
                  <p class="field-error" id="f-file-error">
                    {state.errors[0]?.message}
                  </p>
                ) : null}
                <input
                  id="f-file"
                  name="file"
                  type="file"
                  accept=".ics,text/calendar"
                  required
                  aria-describedby={state.errors?.length ? 'f-file-error' : undefined}
                />
              </div>
              <button type="submit">Import the calendar</button>
            </Form>
          </>
        )}
        {result && <Imported result={result} readerZone={readerZone} />}
      </>
    ),
  };
}

/** What an import did: the days off read, and each partnership's upcoming review, moved or not, in the reader's zone. */
function Imported({ result, readerZone }: { result: NonNullable<State['result']>; readerZone: string | null }) {
  const today = DateTime.now().toISODate() as string;
  return (
    <section aria-labelledby="imported">
      <h2 id="imported">
        {result.calendar.name}: {result.calendar.blackouts.length} days off read
      </h2>
      <h3>Reviews</h3>
      <ul class="items">
        {result.replanned.map((r) => (
          <li key={r.partnershipId}>
            <a href={pages.partnership(r.partnershipId)}>{r.name}</a>:{' '}
            {r.review ? (
              <>
                the upcoming review moved ({readerZone ?? r.timeZone}) from{' '}
                {DateTime.fromISO(r.review.from, { zone: readerZone ?? r.timeZone }).toFormat('ccc, LLL d, yyyy, h:mm a')} to{' '}
                <a href={pages.review(r.partnershipId, r.review.id)}>
                  {DateTime.fromISO(r.review.to, { zone: readerZone ?? r.timeZone }).toFormat('ccc, LLL d, yyyy, h:mm a')}
                </a>
              </>
            ) : (
              'its upcoming review stays where it was'
            )}
          </li>
        ))}
        {result.skipped.map((s) => (
          <li key={s.partnershipId}>
            <a href={pages.partnership(s.partnershipId)}>{s.name}</a>: not replanned, {s.reason}
          </li>
        ))}
      </ul>
      <h3>Days off from today</h3>
      <ul class="items">
        {result.calendar.blackouts
          .filter((b) => b.end >= today)
          .map((b) => (
            <li key={`${b.start}:${b.label}`}>
              {b.start === b.end ? b.start : `${b.start} to ${b.end}`}
              {b.label ? `: ${b.label}` : ''}
            </li>
          ))}
      </ul>
    </section>
  );
}

export async function saveSchoolCalendar(ctx: PageContext): Promise<Outcome> {
  const target = ctx.form.target;
  const file = (ctx.req as Request & { file?: { originalname: string; buffer: Buffer } }).file;
  const owner = settingsOwnerOf(target);
  if (!owner || !file) {
    return schoolCalendarPage(ctx, {
      target,
      errors: [{ path: 'file', message: owner ? 'Choose the .ics file' : 'Choose whose calendar it is' }],
    });
  }
  try {
    const result = await importSchoolCalendar(ctx.deps, ctx.me, owner, { name: file.originalname, text: file.buffer.toString('utf8') });
    return schoolCalendarPage(ctx, { target, result });
  } catch (e) {
    if (e instanceof ValidationError) return schoolCalendarPage(ctx, { target, errors: [{ path: 'file', message: e.message }] });
    return schoolCalendarPage(ctx, { target, errors: formIssues(e, 'file') });
  }
}

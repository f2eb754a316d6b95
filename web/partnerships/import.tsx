import type { Request } from 'express';
import { pages } from '../../core/pages.js';
import { IMPORT_COLUMNS, IMPORT_MAX_ROWS, importPartnerships } from '../../core/partnerships/import.js';
import { cohortScope } from '../../core/people/rights.js';
import { ValidationError } from '../../lib/errors.js';
import { CohortSelect, Crumb, Form } from '../http/layout.js';
import { formIssues, type Outcome, type PageContext } from '../http/pages.js';

/**
 * Creating a cohort's partnerships from a CSV file: check it first (a dry run names every mistake by
 * line and column, or shows what would be created), then confirm to create them all, or none, from
 * the file just checked; what was created links to its pages. The action is the API's
 * (core/partnerships/import.ts), with its rights and its rules.
 */

type Result = Awaited<ReturnType<typeof importPartnerships>>;
type State = {
  cohort?: string;
  issues?: { path: string; message: string }[];
  result?: Result;
  filename?: string;
  /** The checked file's text, kept in the confirmation form: creating does not ask for the file again. */
  csv?: string;
};

export async function importPage(ctx: PageContext, state: State = {}): Promise<Outcome> {
  const cohorts = await ctx.deps.db.cohort.findMany({
    where: cohortScope(ctx.me),
    select: { id: true, name: true },
    orderBy: { name: 'asc' },
  });
  const heading = (
    <>
      <Crumb href="/dashboard">Dashboard</Crumb>
      <h1>Create partnerships from a file</h1>
    </>
  );
  if (cohorts.length === 0) {
    return {
      title: 'Create partnerships from a file',
      body: (
        <>
          {heading}
          <p>
            A file creates the partnerships of one cohort, and there is none you coordinate yet.{' '}
            {ctx.me.isAdmin ? (
              <a href="/dashboard/cohorts">Make a cohort first.</a>
            ) : (
              <>
                Ask an admin to make you a cohort's coordinator, or create a partnership with <a href="/dashboard/new">New partnership</a>.
              </>
            )}
          </p>
        </>
      ),
    };
  }
  const chosen = state.cohort ?? (typeof ctx.req.query.cohort === 'string' ? ctx.req.query.cohort : undefined);
  const { issues, result } = state;
  return {
    title: 'Create partnerships from a file',
    status: issues?.length ? 400 : 200,
    body: (
      <>
        {heading}
        <p>
          One partnership per row of a CSV file (UTF-8, a header line, at most {IMPORT_MAX_ROWS} rows). Check it first: every mistake is
          named by line and column, and nothing is created until every row is right; then all are created at once.
        </p>
        <Mistakes issues={issues ?? []} filename={state.filename} />
        {result && <Checked result={result} state={state} csrf={ctx.csrf} />}
        <h2 id="upload">{result?.dryRun ? 'Or check another file' : 'Check a file'}</h2>
        <Form action="/dashboard/import" csrf={ctx.csrf} multipart label="Check a file">
          <CohortSelect name="cohort" cohorts={cohorts} value={chosen} />
          <div class="field">
            <label for="f-file">The CSV file</label>
            <input id="f-file" name="file" type="file" accept=".csv,text/csv" required />
          </div>
          <button type="submit" name="action" value="check" class={result?.dryRun ? 'secondary' : undefined}>
            Check the file
          </button>
        </Form>
        <Columns />
      </>
    ),
  };
}

/** Every mistake of the file, by line and column: nothing was created. */
function Mistakes({ issues, filename }: { issues: NonNullable<State['issues']>; filename: string | undefined }) {
  if (issues.length === 0) return null;
  return (
    <section aria-labelledby="mistakes" class="error-summary" tabIndex={-1}>
      <h2 id="mistakes">
        {filename ? `${filename}: ` : ''}
        {issues.length} mistake{issues.length === 1 ? '' : 's'}, nothing was created
      </h2>
      <ul class="items">
        {issues.map((i) => (
          <li key={`${i.path}:${i.message}`}>
            <strong>{i.path}</strong>: {i.message}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** What a check found (or a creation made); after a check, the button that creates them from the same text. */
function Checked({ result, state, csrf }: { result: Result; state: State; csrf: string }) {
  return (
    <section aria-labelledby="result">
      <h2 id="result">
        {result.dryRun
          ? `Every row is right: ${result.partnerships.length} partnership${result.partnerships.length === 1 ? '' : 's'} would be created`
          : `${result.partnerships.length} partnership${result.partnerships.length === 1 ? '' : 's'} created`}
      </h2>
      <ul class="items">
        {result.partnerships.map((p) => (
          <li key={p.line}>
            {p.id ? <a href={pages.partnership(p.id)}>{p.name}</a> : p.name}{' '}
            <span class="meta">
              line {p.line} · first review {p.firstReview} · {p.members} member{p.members === 1 ? '' : 's'}
            </span>
          </li>
        ))}
      </ul>
      {result.dryRun && state.csv !== undefined && (
        <Form action="/dashboard/import" csrf={csrf} multipart label="Create the partnerships">
          <input type="hidden" name="cohort" value={state.cohort ?? ''} />
          <input type="hidden" name="filename" value={state.filename ?? ''} />
          <input type="hidden" name="csv" value={state.csv} />
          <button type="submit" name="action" value="create">
            Create these {result.partnerships.length} partnership{result.partnerships.length === 1 ? '' : 's'}
          </button>
        </Form>
      )}
    </section>
  );
}

function Columns() {
  return (
    <section aria-labelledby="columns">
      <h2 id="columns">Columns</h2>
      <dl class="record">
        {Object.entries(IMPORT_COLUMNS).map(([name, what]) => (
          <>
            <dt>
              <code>{name}</code>
            </dt>
            <dd>{what}</dd>
          </>
        ))}
      </dl>
    </section>
  );
}

/** "Check": the file uploaded, a dry run. "Create": the text of the file checked, from the confirmation. */
export async function saveImport(ctx: PageContext): Promise<Outcome> {
  const f = ctx.form;
  const file = (ctx.req as Request & { file?: { originalname: string; buffer: Buffer } }).file;
  const cohort = f.cohort ?? '';
  const create = f.action === 'create' && typeof f.csv === 'string';
  const csv = create ? f.csv : file?.buffer.toString('utf8');
  const filename = create ? f.filename : file?.originalname;
  if (csv === undefined) return importPage(ctx, { cohort, issues: [{ path: 'file', message: 'Choose a CSV file' }] });
  try {
    const result = await importPartnerships(ctx.deps, ctx.me, cohort, csv, !create);
    return importPage(ctx, { cohort, result, ...(filename && { filename }), csv });
  } catch (e) {
    const issues = e instanceof ValidationError ? e.issues : formIssues(e, 'file');
    return importPage(ctx, { cohort, issues, ...(filename && { filename }) });
  }
}

import type { Request } from 'express';
import { IMPORT_COLUMNS, IMPORT_MAX_ROWS, importPartnerships } from '../../api/reviews/import.js';
import { pages } from '../../core/pages.js';
import { cohortScope } from '../../core/people/rights.js';
import { ValidationError } from '../../lib/errors.js';
import { CohortSelect, Form } from '../http/layout.js';
import { formIssues, type Outcome, type PageContext } from '../http/pages.js';

/**
 * Creating a cohort's partnerships from a CSV file: check it first (a dry run names every mistake by
 * line and column, or shows what would be created), then create them all, or none. The action is
 * the API's (api/reviews/import.ts), with its rights and its rules.
 */

type Result = Awaited<ReturnType<typeof importPartnerships>>;
type State = { cohort?: string; issues?: { path: string; message: string }[]; result?: Result; filename?: string };

export async function importPage(ctx: PageContext, state: State = {}): Promise<Outcome> {
  const cohorts = await ctx.deps.db.cohort.findMany({
    where: cohortScope(ctx.me),
    select: { id: true, name: true },
    orderBy: { name: 'asc' },
  });
  const chosen = state.cohort ?? (typeof ctx.req.query.cohort === 'string' ? ctx.req.query.cohort : undefined);
  const { issues, result } = state;
  return {
    title: 'Create partnerships from a file',
    status: issues?.length ? 400 : 200,
    body: (
      <>
        <p class="crumbs">
          <a href="/dashboard">Dashboard</a>
        </p>
        <h1>Create partnerships from a file</h1>
        <p>
          One partnership per row of a CSV file (UTF-8, a header line, at most {IMPORT_MAX_ROWS} rows). Check it first: every mistake is
          named by line and column, and nothing is created until every row is right; then all are created at once.
        </p>
        {issues && issues.length > 0 && (
          <section aria-labelledby="mistakes" class="error-summary" tabIndex={-1}>
            <h2 id="mistakes">
              {state.filename ? `${state.filename}: ` : ''}
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
        )}
        {result && (
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
          </section>
        )}
        <Form action="/dashboard/import" csrf={ctx.csrf} multipart label="Create partnerships from a file">
          <CohortSelect name="cohort" cohorts={cohorts} value={chosen} />
          <div class="field">
            <label for="f-file">The CSV file</label>
            <input id="f-file" name="file" type="file" accept=".csv,text/csv" required />
          </div>
          <button type="submit" name="action" value="check">
            Check the file
          </button>{' '}
          <button type="submit" name="action" value="create" class="secondary">
            Create the partnerships
          </button>
        </Form>
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
      </>
    ),
  };
}

export async function saveImport(ctx: PageContext): Promise<Outcome> {
  const f = (ctx.req.body ?? {}) as Record<string, string | undefined>;
  const file = (ctx.req as Request & { file?: { originalname: string; buffer: Buffer } }).file;
  const cohort = f.cohort ?? '';
  if (!file) return importPage(ctx, { cohort, issues: [{ path: 'file', message: 'Choose a CSV file' }] });
  try {
    const result = await importPartnerships(ctx.deps, ctx.me, cohort, file.buffer.toString('utf8'), f.action !== 'create');
    return importPage(ctx, { cohort, result, filename: file.originalname });
  } catch (e) {
    if (e instanceof ValidationError) return importPage(ctx, { cohort, issues: e.issues, filename: file.originalname });
    return importPage(ctx, { cohort, issues: formIssues(e, 'file'), filename: file.originalname });
  }
}

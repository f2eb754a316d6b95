import { pages } from '../../core/pages.js';
import { addCoordinator, createCohort } from '../../core/people/cohorts.js';
import { cohortScope, mayStart, partnershipScope } from '../../core/people/rights.js';
import type { FieldIssue } from '../../lib/errors.js';
import { Crumb, ErrorSummary, errorOf, Form, TextField } from '../http/layout.js';
import { formIssues, type Outcome, type PageContext } from '../http/pages.js';
import { PersonFields } from './person-fields.js';

/**
 * The cohorts the reader sees, with their coordinators; for the installation's admins, making a
 * cohort and its coordinators (the API's actions, core/people/cohorts.ts, with its rights).
 */

type State = { errors: FieldIssue[]; values: Record<string, string>; form: string };

export async function cohortsPage(ctx: PageContext, state?: State): Promise<Outcome> {
  const { db } = ctx.deps;
  const may = await mayStart(db, ctx.me);
  const cohorts = await db.cohort.findMany({
    where: cohortScope(ctx.me),
    orderBy: { name: 'asc' },
    include: {
      coordinators: { include: { person: { select: { name: true, email: true } } }, orderBy: { person: { name: 'asc' } } },
      _count: { select: { partnerships: { where: partnershipScope(ctx.me) } } },
    },
  });
  const mine = (form: string) => (state?.form === form ? state : undefined);
  const create = mine('new');
  return {
    title: 'Cohorts',
    status: state?.errors.length ? 400 : 200,
    body: (
      <>
        <Crumb href="/dashboard">Dashboard</Crumb>
        <h1>Cohorts</h1>
        <p>A cohort is districts working through one programme together; its coordinators see and manage all its partnerships.</p>
        {cohorts.length === 0 ? (
          <p class="empty">{may.cohort ? 'No cohort yet: make the first one below.' : 'You are in no cohort.'}</p>
        ) : (
          <ul class="items">
            {cohorts.map((c) => {
              const add = mine(c.id);
              return (
                <li key={c.id}>
                  <a href={`/dashboard?${new URLSearchParams({ cohort: c.id })}`}>{c.name}</a>{' '}
                  <span class="meta">
                    {c._count.partnerships} partnership{c._count.partnerships === 1 ? '' : 's'} · coordinated by{' '}
                    {c.coordinators.length ? c.coordinators.map((k) => k.person.name).join(', ') : 'nobody yet'}
                  </span>
                  <p>
                    <a href={pages.cohortLessons(c.id)}>What it learned</a>
                  </p>
                  {(ctx.me.isAdmin || ctx.me.coordinates.includes(c.id)) && c._count.partnerships > 0 && (
                    <p>
                      <a href={`/dashboard/cohorts/${c.id}/check-ins`}>How its partnerships are going</a> ·{' '}
                      <a href={`/dashboard/cohorts/${c.id}/inquiry`}>Start an inquiry cycle in every partnership</a>
                    </p>
                  )}
                  {may.cohort && (
                    <details open={Boolean(add)}>
                      <summary>Add a coordinator to {c.name}</summary>
                      {add && <ErrorSummary errors={add.errors} />}
                      <Form action={`/dashboard/cohorts/${c.id}/coordinators`} csrf={ctx.csrf} label={`Add a coordinator to ${c.name}`}>
                        <PersonFields values={add?.values} errors={add?.errors} idSuffix={c.id} />
                        <button type="submit">Make them a coordinator</button>
                      </Form>
                    </details>
                  )}
                </li>
              );
            })}
          </ul>
        )}
        {may.cohort && (
          <section aria-labelledby="new-cohort">
            <h2 id="new-cohort">New cohort</h2>
            {create && <ErrorSummary errors={create.errors} />}
            <Form action="/dashboard/cohorts" csrf={ctx.csrf} label="New cohort">
              <TextField name="name" label="Name" required value={create?.values.name} error={errorOf(create?.errors ?? [], 'name')} />
              <button type="submit">Make the cohort</button>
            </Form>
          </section>
        )}
      </>
    ),
  };
}

export async function saveCohort(ctx: PageContext): Promise<Outcome> {
  const f = ctx.form;
  try {
    const cohort = await createCohort(ctx.deps.db, ctx.me, { name: f.name ?? '' });
    return { redirect: '/dashboard/cohorts', flash: `${cohort.name} is made. Add its coordinators, then its partnerships.` };
  } catch (e) {
    return cohortsPage(ctx, { errors: formIssues(e, 'name'), values: f, form: 'new' });
  }
}

export async function saveCoordinator(ctx: PageContext): Promise<Outcome> {
  const f = ctx.form;
  const cohortId = ctx.param('id');
  try {
    const { person } = await addCoordinator(ctx.deps.db, ctx.me, cohortId, { name: f.name ?? '', email: (f.email ?? '').trim() });
    return { redirect: '/dashboard/cohorts', flash: `${person.name} coordinates the cohort; they sign in with ${person.email}.` };
  } catch (e) {
    return cohortsPage(ctx, { errors: formIssues(e, 'email'), values: f, form: cohortId });
  }
}

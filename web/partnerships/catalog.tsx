import { pages } from '../../core/pages.js';
import { addCatalogEntry, applyToCatalog, catalogOf, decideApplication } from '../../core/partnerships/catalog.js';
import { engagementPathway } from '../../core/partnerships/schemas.js';
import type { PersonPrincipal } from '../../core/people/principal.js';
import { cohortScope, organizationScope } from '../../core/people/rights.js';
import type { Db } from '../../lib/db/client.js';
import { NotFoundError, ValidationError } from '../../lib/errors.js';
import { fromLocalInput, PATHWAY_LABELS } from '../http/format.js';
import { binder, Checkbox, Crumb, ErrorSummary, errorOf, Form, formState, Select, TextArea, TextField } from '../http/layout.js';
import { formIssues, type Outcome, type PageContext } from '../http/pages.js';
import { chosenTarget, settingsOwnerOf, targetChoices } from '../http/settings-owner.js';

/**
 * The catalog of partners on the pages: whoever sees a district or a cohort reads its catalog and
 * applies to a partner (one form per partner, folded until opened: no script); its keepers put
 * partners in and accept or decline each application, accepting with the first review's time. The
 * rules are core/partnerships/catalog.ts's, as the API's.
 */

type Issue = { path: string; message: string };
/** Which form of the page the errors and values belong to: "entry", "apply:<entryId>", "decide:<applicationId>". */
type State = { form?: string; errors?: Issue[]; values?: Record<string, string>; target?: string };

const PATH = '/dashboard/catalog';
const PATHWAY_OPTIONS = engagementPathway.options;

async function targetsOf(db: Db, me: PersonPrincipal) {
  const cohorts = await db.cohort.findMany({ where: cohortScope(me), orderBy: { name: 'asc' } });
  const districts = await db.organization.findMany({
    where: { AND: [{ kind: 'district' }, organizationScope(me)] },
    orderBy: { name: 'asc' },
  });
  return targetChoices(cohorts, districts);
}

/** The districts a cohort's team may apply from: those of its partnerships. */
async function cohortDistricts(db: Db, cohortId: string) {
  return db.organization.findMany({
    where: { kind: 'district', districtPartnerships: { some: { cohortId } } },
    orderBy: { name: 'asc' },
    select: { id: true, name: true, timeZone: true },
  });
}

export async function catalogPage(ctx: PageContext, state: State = {}): Promise<Outcome> {
  const { db } = ctx.deps;
  const targets = await targetsOf(db, ctx.me);
  const chosen = chosenTarget(targets, state.target, ctx.req.query.target);
  const owner = settingsOwnerOf(chosen?.value);
  const catalog = owner ? await catalogOf(ctx.deps, ctx.me, owner) : null;
  const districts = owner && 'cohortId' in owner ? await cohortDistricts(db, owner.cohortId) : [];
  // The districts of the applications shown (their names, and the zone an acceptance's time is read in).
  const applicants = (catalog?.entries ?? []).flatMap((e) => ('applications' in e ? e.applications.map((a) => a.districtId) : []));
  const zones = new Map(
    (
      await db.organization.findMany({ where: { id: { in: [...new Set(applicants)] } }, select: { id: true, timeZone: true, name: true } })
    ).map((d) => [d.id, d]),
  );
  const of = (form: string) => formState(state, { form });
  return {
    title: 'Catalog of partners',
    status: state.errors?.length ? 400 : 200,
    body: (
      <>
        <Crumb href="/dashboard">Dashboard</Crumb>
        <h1>Catalog of partners</h1>
        <p>
          The partner organizations a district or a cohort has chosen, with the pathways each offers: introductory, a pilot, the whole
          school, or the whole system. A school or district team applies to one; once accepted, the partnership begins in planning, with its
          planning checklist.
        </p>
        {!chosen || !catalog ? (
          <p class="empty">You see no district and no cohort.</p>
        ) : (
          <>
            <form method="get" action={PATH} class="filters">
              <Select name="target" label="Whose catalog" value={chosen.value} options={targets} />
              <button type="submit">Show</button>
            </form>
            {catalog.entries.length === 0 && <p class="empty">No partner in {catalog.name}'s catalog yet.</p>}
            {catalog.entries.map((e) => {
              const apply = of(`apply:${e.id}`);
              return (
                <section key={e.id} aria-labelledby={`e-${e.id}`}>
                  <h2 id={`e-${e.id}`}>{e.partner.name}</h2>
                  <p class="meta">{e.pathways.map((p) => PATHWAY_LABELS[p]).join(' · ')}</p>
                  <p>{e.description}</p>
                  <details open={apply.errors.length > 0}>
                    <summary>Apply to {e.partner.name}</summary>
                    <ErrorSummary errors={apply.errors} />
                    <Form action={`${PATH}/${e.id}/apply`} csrf={ctx.csrf} label={`Apply to ${e.partner.name}`}>
                      <input type="hidden" name="target" value={chosen.value} />
                      <TextField {...apply.bind('team')} id={`f-team-${e.id}`} label="School or team" required />
                      {districts.length > 0 && (
                        <Select
                          {...apply.bind('districtId')}
                          id={`f-district-${e.id}`}
                          label="District"
                          options={districts.map((d) => ({ value: d.id, label: d.name }))}
                        />
                      )}
                      <Select
                        {...apply.bind('pathway')}
                        id={`f-pathway-${e.id}`}
                        label="Pathway"
                        options={e.pathways.map((p) => ({ value: p, label: PATHWAY_LABELS[p] }))}
                      />
                      <TextArea {...apply.bind('goals')} id={`f-goals-${e.id}`} label="What you want to achieve" required />
                      <TextField
                        id={`f-contactName-${e.id}`}
                        name="contactName"
                        label="Contact's name"
                        value={apply.v.contactName ?? ctx.me.name}
                        required
                        error={errorOf(apply.errors, 'contactName')}
                      />
                      <TextField
                        id={`f-contactEmail-${e.id}`}
                        name="contactEmail"
                        label="Contact's email"
                        type="email"
                        value={apply.v.contactEmail ?? ctx.me.email}
                        required
                        error={errorOf(apply.errors, 'contactEmail')}
                      />
                      <button type="submit">Apply</button>
                    </Form>
                  </details>
                  {catalog.keeps && 'applications' in e && <Applications ctx={ctx} applications={e.applications} zones={zones} of={of} />}
                </section>
              );
            })}
            {catalog.keeps && <NewEntry ctx={ctx} target={chosen.value} state={of('entry')} />}
          </>
        )}
      </>
    ),
  };
}

type Application = Awaited<ReturnType<typeof catalogOf>>['entries'][number] extends infer E
  ? E extends { applications: (infer A)[] }
    ? A
    : never
  : never;

function Applications(props: {
  ctx: PageContext;
  applications: Application[];
  zones: Map<string, { timeZone: string; name: string }>;
  of: (form: string) => { errors: Issue[]; v: Record<string, string>; bind: ReturnType<typeof binder> };
}) {
  const { ctx, applications, zones, of } = props;
  if (applications.length === 0) return <p class="meta">No application yet.</p>;
  return (
    <>
      <h3>Applications</h3>
      <ul class="items">
        {applications.map((a) => {
          const d = of(`decide:${a.id}`);
          const district = zones.get(a.districtId);
          return (
            <li key={a.id}>
              <strong>{a.team}</strong>{' '}
              <span class="meta">
                ({district?.name}, {PATHWAY_LABELS[a.pathway]}) · {a.contactName}, {a.contactEmail} · {a.status}
              </span>
              <p>{a.goals}</p>
              {a.status === 'accepted' && a.partnershipId && (
                <p>
                  <a href={pages.partnership(a.partnershipId)}>The partnership, in planning</a>
                </p>
              )}
              {a.status === 'declined' && a.decisionNote && <p class="meta">Declined: {a.decisionNote}</p>}
              {a.status === 'pending' && (
                <>
                  <ErrorSummary errors={d.errors} />
                  <Form action={`${PATH}/applications/${a.id}/decision`} csrf={ctx.csrf} label={`Decide on ${a.team}`}>
                    <TextField
                      {...d.bind('firstReviewAt')}
                      id={`f-first-${a.id}`}
                      type="datetime-local"
                      label={`To accept: the first review (${district?.timeZone ?? 'UTC'})`}
                    />
                    <TextArea {...d.bind('note')} id={`f-note-${a.id}`} label="Note (to decline: why)" rows={2} />
                    <div class="actions">
                      <button type="submit" name="decision" value="accepted">
                        Accept
                      </button>
                      <button type="submit" name="decision" value="declined">
                        Decline
                      </button>
                    </div>
                  </Form>
                </>
              )}
            </li>
          );
        })}
      </ul>
    </>
  );
}

function NewEntry({ ctx, target, state }: { ctx: PageContext; target: string; state: { errors: Issue[]; v: Record<string, string> } }) {
  const bind = binder(state.v, state.errors);
  return (
    <section aria-labelledby="new-entry">
      <h2 id="new-entry">Put a partner in the catalog</h2>
      <ErrorSummary errors={state.errors} />
      <Form action={PATH} csrf={ctx.csrf} label="Put a partner in the catalog">
        <input type="hidden" name="target" value={target} />
        <TextField
          name="partner"
          label="Partner organization"
          hint="Its name; a new one is added."
          value={state.v.partner}
          required
          error={errorOf(state.errors, 'partner.name')}
        />
        <fieldset>
          <legend>Pathways it offers</legend>
          {errorOf(state.errors, 'pathways') && <p class="field-error">{errorOf(state.errors, 'pathways')}</p>}
          {PATHWAY_OPTIONS.map((p) => (
            <Checkbox
              key={p}
              name={`pathway.${p}`}
              id={`f-pathway-new-${p}`}
              label={PATHWAY_LABELS[p]}
              checked={state.v[`pathway.${p}`] === 'on'}
            />
          ))}
        </fieldset>
        <TextArea {...bind('description')} label="What it does" required />
        <button type="submit">Put it in the catalog</button>
      </Form>
    </section>
  );
}

export async function saveCatalogEntry(ctx: PageContext): Promise<Outcome> {
  const f = ctx.form;
  const owner = settingsOwnerOf(f.target);
  if (!owner) throw new NotFoundError('No such catalog');
  try {
    await addCatalogEntry(ctx.deps, ctx.me, owner, {
      partner: { name: f.partner ?? '' },
      pathways: PATHWAY_OPTIONS.filter((p) => f[`pathway.${p}`] === 'on'),
      description: f.description ?? '',
    });
  } catch (e) {
    return catalogPage(ctx, { form: 'entry', errors: formIssues(e, 'partner.name'), values: f, target: f.target });
  }
  return { redirect: `${PATH}?${new URLSearchParams({ target: f.target ?? '' })}`, flash: `${f.partner?.trim()} is in the catalog.` };
}

export async function saveApplication(ctx: PageContext): Promise<Outcome> {
  const f = ctx.form;
  const entryId = ctx.param('id');
  try {
    await applyToCatalog(ctx.deps, ctx.me, entryId, {
      team: f.team ?? '',
      ...(f.districtId && { districtId: f.districtId }),
      goals: f.goals ?? '',
      pathway: (f.pathway ?? '') as 'pilot',
      contactName: f.contactName ?? '',
      contactEmail: f.contactEmail ?? '',
    });
  } catch (e) {
    return catalogPage(ctx, { form: `apply:${entryId}`, errors: formIssues(e, 'team'), values: f, target: f.target });
  }
  return {
    redirect: `${PATH}?${new URLSearchParams({ target: f.target ?? '' })}`,
    flash: 'Your application is sent: the catalog’s keepers will accept or decline it.',
  };
}

export async function saveDecision(ctx: PageContext): Promise<Outcome> {
  const f = ctx.form;
  const id = ctx.param('id');
  const { db } = ctx.deps;
  const application = await db.catalogApplication.findUnique({ where: { id }, include: { entry: true } });
  if (!application) throw new NotFoundError(`Application ${id} does not exist`);
  const target = application.entry.cohortId ? `cohort:${application.entry.cohortId}` : `district:${application.entry.districtId}`;
  const zone = (await db.organization.findUnique({ where: { id: application.districtId }, select: { timeZone: true } }))?.timeZone ?? 'UTC';
  const accepting = f.decision === 'accepted';
  const firstReviewAt = fromLocalInput(f.firstReviewAt, zone);
  try {
    if (accepting && f.firstReviewAt && !firstReviewAt)
      throw new ValidationError('Give a date and time', [{ path: 'firstReviewAt', message: 'Give a date and time' }]);
    const { partnershipId } = await decideApplication(ctx.deps, ctx.me, id, {
      decision: accepting ? 'accepted' : 'declined',
      ...(f.note?.trim() && { note: f.note }),
      ...(firstReviewAt && { firstReviewAt }),
    });
    return partnershipId
      ? {
          redirect: pages.partnership(partnershipId),
          flash: `Accepted: ${application.team}'s partnership is in planning, with its checklist.`,
        }
      : {
          redirect: `${PATH}?${new URLSearchParams({ target })}`,
          flash: `Declined, with your note: ${application.team}'s application is closed.`,
        };
  } catch (e) {
    return catalogPage(ctx, { form: `decide:${id}`, errors: formIssues(e, 'firstReviewAt'), values: f, target });
  }
}

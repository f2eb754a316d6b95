import { startCohortCycles } from '../../core/inquiry/commands.js';
import { PHASE_TEXT } from '../../core/inquiry/cycles.js';
import { assertCoordinates, cohortScope } from '../../core/people/rights.js';
import { personZone } from '../../core/people/zone.js';
import { type FieldIssue, NotFoundError } from '../../lib/errors.js';
import { ROLE_LABELS } from '../http/format.js';
import { Crumb, ErrorSummary, Form } from '../http/layout.js';
import { formIssues, type Outcome, type PageContext } from '../http/pages.js';
import { CyclePlanFields, readCyclePlan } from './cycle-plan.js';

/**
 * An inquiry cycle in every active partnership of a cohort at once (the seeds' cohort of 22 districts
 * with inquiry cycles): one question, each phase owned by a role, due at one time in the reader's zone.
 * The command (core/inquiry/commands.ts) is the API's `POST /cohorts/:id/inquiry-cycles`, rights included.
 */

type State = { errors: FieldIssue[]; values: Record<string, string> };

const ROLES = Object.entries(ROLE_LABELS).map(([value, label]) => ({ value, label }));
const DEFAULT_OWNER: Record<string, string> = {
  plan: 'district_lead',
  do: 'participant',
  study: 'partner_lead',
  act: 'district_lead',
  reflect: 'district_lead',
};

async function cohortOf(ctx: PageContext) {
  const cohort = await ctx.deps.db.cohort.findFirst({
    where: { AND: [{ id: ctx.param('id') }, cohortScope(ctx.me)] },
    select: { id: true, name: true },
  });
  if (!cohort) throw new NotFoundError('cohort');
  // A member of one of its partnerships sees the cohort, but only its coordinators act for all of it.
  assertCoordinates(ctx.me, cohort.id);
  return cohort;
}

export async function cohortCyclePage(ctx: PageContext, state: State = { errors: [], values: {} }): Promise<Outcome> {
  const cohort = await cohortOf(ctx);
  const zone = await personZone(ctx.deps.db, ctx.me.id);
  const { errors, values: v } = state;
  return {
    title: `Start an inquiry cycle: ${cohort.name}`,
    status: errors.length ? 400 : 200,
    body: (
      <>
        <Crumb href="/dashboard/cohorts">Cohorts</Crumb>
        <h1>Start an inquiry cycle in every partnership of {cohort.name}</h1>
        <p>
          Each active partnership of the cohort gets the same question and due dates; each phase goes to the member of the role you choose
          (a partnership without one is listed afterwards, with why). Times are in {zone}.
        </p>
        <ErrorSummary errors={errors} />
        <Form action={`/dashboard/cohorts/${cohort.id}/inquiry`} csrf={ctx.csrf} label="Start an inquiry cycle in every partnership">
          <CyclePlanFields values={v} errors={errors} owner={{ field: 'ownerRole', options: ROLES, initial: (ph) => DEFAULT_OWNER[ph] }} />
          <button type="submit">Start the cycles</button>
        </Form>
      </>
    ),
  };
}

export async function saveCohortCycle(ctx: PageContext): Promise<Outcome> {
  const cohort = await cohortOf(ctx);
  const values = ctx.form;
  const zone = await personZone(ctx.deps.db, ctx.me.id);
  const plan = readCyclePlan(values, zone, 'ownerRole');
  const { question, missing } = plan;
  const phases = plan.phases as Parameters<typeof startCohortCycles>[3]['phases'];
  if (missing.length) return cohortCyclePage(ctx, { errors: missing, values });
  try {
    const { started, skipped } = await startCohortCycles(ctx.deps, ctx.me, cohort.id, { question, phases });
    const names = new Map(
      (
        await ctx.deps.db.partnership.findMany({
          where: { id: { in: skipped.map((s) => s.partnershipId) } },
          select: { id: true, name: true },
        })
      ).map((p) => [p.id, p.name]),
    );
    // The command names fields ("phases.do.ownerRole: …"); a person reads the phase's name.
    const readable = (reason: string) =>
      reason.replace(/phases\.(\w+)\.ownerRole: /g, (_m, ph: string) => `${PHASE_TEXT[ph as keyof typeof PHASE_TEXT]?.label ?? ph}: `);
    const notStarted = skipped.map((s) => `${names.get(s.partnershipId) ?? s.partnershipId} (${readable(s.reason)})`).join('; ');
    return {
      redirect: '/dashboard/cohorts',
      flash: `An inquiry cycle started in ${started.length} partnership${started.length === 1 ? '' : 's'} of ${cohort.name}.${notStarted ? ` Not in: ${notStarted}.` : ''}`,
    };
  } catch (e) {
    return cohortCyclePage(ctx, { errors: formIssues(e, 'question'), values });
  }
}

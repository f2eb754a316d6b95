import { DateTime } from 'luxon';
import { chosenZone } from '../../core/people/zone.js';
import { WEBHOOK_EVENT_TYPES } from '../../core/webhooks/events.js';
import {
  changeWebhook,
  createWebhook,
  listDeliveries,
  listWebhooks,
  redeliver,
  removeWebhook,
  rotateWebhookSecret,
} from '../../core/webhooks/subscriptions.js';
import { Checkbox, Choices, Crumb, ErrorSummary, errorOf, Form, formState, Select, TextField } from '../http/layout.js';
import { formIssues, type Outcome, type PageContext } from '../http/pages.js';

/**
 * Webhook subscriptions from the web, for the people who keep them (an organization's admins, a
 * cohort's coordinators, the installation's admins): the same commands and rights as the API
 * (api/webhooks/webhooks.ts, core/webhooks/subscriptions.ts). A secret is shown once, after the form.
 */

const PATH = '/dashboard/webhooks';
type Issue = { path: string; message: string };

const FORMATS = [
  { value: 'standard', label: 'Signed JSON (Standard Webhooks), for your own systems' },
  { value: 'slack', label: 'A Slack channel (its incoming webhook address)' },
  { value: 'teams', label: 'A Microsoft Teams channel (its workflow webhook address)' },
];

/** Whose subscriptions a person may make: the installation's, their cohorts', their organizations'. */
async function ownerChoices(ctx: PageContext) {
  const { db } = ctx.deps;
  const me = ctx.me;
  const cohorts = await db.cohort.findMany({
    where: me.isAdmin ? {} : { id: { in: me.coordinates } },
    select: { id: true, name: true },
    orderBy: { name: 'asc' },
  });
  const adminOf = me.staff.filter((s) => s.isAdmin).map((s) => s.organizationId);
  const organizations = await db.organization.findMany({
    where: me.isAdmin ? {} : { id: { in: adminOf } },
    select: { id: true, name: true, kind: true },
    orderBy: { name: 'asc' },
  });
  return [
    ...(me.isAdmin ? [{ value: 'installation', label: 'Every partnership (the installation)' }] : []),
    ...cohorts.map((c) => ({ value: `cohort:${c.id}`, label: `Cohort: ${c.name}` })),
    ...organizations.map((o) => ({ value: `organization:${o.id}`, label: `${o.kind === 'district' ? 'District' : 'Partner'}: ${o.name}` })),
  ];
}

export async function webhooksPage(ctx: PageContext, state: { errors?: Issue[]; values?: Record<string, string> } = {}): Promise<Outcome> {
  const { db } = ctx.deps;
  const owners = await ownerChoices(ctx);
  const hooks = await listWebhooks(db, ctx.me);
  const zone = (await chosenZone(db, ctx.me.id)) ?? 'UTC';
  const when = (iso: string | null) => (iso ? DateTime.fromISO(iso, { zone }).toFormat('ccc, LLL d, yyyy, h:mm a ZZZZ') : '');
  const recent = new Map(await Promise.all(hooks.map(async (h) => [h.id, await listDeliveries(db, ctx.me, h.id, { limit: 5 })] as const)));
  const { errors, v, bind } = formState(state, { defaults: { format: 'standard' } });
  return {
    title: 'Webhooks',
    status: errors.length ? 400 : 200,
    body: (
      <>
        <Crumb href="/dashboard">Dashboard</Crumb>
        <h1>Webhooks</h1>
        <p>
          Tell your own systems, or a Slack or Teams channel, when something happens in your partnerships: a commitment overdue, a review
          missed, a partnership paused. Events go in order; an endpoint that fails is tried again for a day, then paused, and you are told.
        </p>
        {owners.length === 0 ? (
          <p class="empty">You administer no organization and coordinate no cohort: their admins subscribe to their events.</p>
        ) : (
          <section aria-labelledby="subscribe">
            <h2 id="subscribe">Subscribe an endpoint</h2>
            <ErrorSummary errors={errors} />
            <Form action={PATH} csrf={ctx.csrf} label="Subscribe an endpoint">
              <Select {...bind('owner')} label="Whose partnerships" options={owners} required />
              <TextField {...bind('url')} type="url" label="The endpoint's address (https://…)" required />
              <Choices name="format" legend="What it is" value={v.format} options={FORMATS} error={errorOf(errors, 'format')} />
              <fieldset class={errorOf(errors, 'events') ? 'field invalid' : undefined} id="f-events">
                <legend>The events it is told of</legend>
                {errorOf(errors, 'events') && <p class="field-error">{errorOf(errors, 'events')}</p>}
                {WEBHOOK_EVENT_TYPES.map((type) => (
                  <Checkbox
                    key={type}
                    name={`event:${type}`}
                    id={`f-event-${type.replace('.', '-')}`}
                    label={type}
                    checked={v[`event:${type}`] === 'on'}
                  />
                ))}
              </fieldset>
              <TextField {...bind('description')} label="Description (optional)" />
              <button type="submit">Subscribe</button>
            </Form>
          </section>
        )}
        <section aria-labelledby="yours">
          <h2 id="yours">Subscriptions</h2>
          {hooks.length === 0 && <p class="empty">None yet.</p>}
          <ul class="items">
            {hooks.map((h) => (
              <li key={h.id}>
                <strong>{h.url}</strong>{' '}
                <span class="meta">
                  {h.format} · {h.status}
                  {h.description ? ` · ${h.description}` : ''}
                </span>
                <p class="meta">{h.events.join(', ')}</p>
                {h.status === 'paused' && (
                  <p>
                    Paused {when(h.pausedAt)}: {h.pausedReason}
                  </p>
                )}
                {h.failingSince && <p>Failing since {when(h.failingSince)}.</p>}
                <div class="actions">
                  <Form action={`${PATH}/${h.id}/status`} csrf={ctx.csrf} label={`Pause or resume ${h.url}`}>
                    <button type="submit" name="status" value={h.status === 'active' ? 'paused' : 'active'}>
                      {h.status === 'active' ? 'Pause' : 'Resume and send what waits'}
                    </button>
                  </Form>
                  {h.format === 'standard' && (
                    <Form action={`${PATH}/${h.id}/secret`} csrf={ctx.csrf} label={`New secret for ${h.url}`}>
                      <button type="submit">New secret</button>
                    </Form>
                  )}
                  <Form action={`${PATH}/${h.id}/remove`} csrf={ctx.csrf} label={`Remove ${h.url}`}>
                    <button type="submit">Remove</button>
                  </Form>
                </div>
                <Deliveries ctx={ctx} hookId={h.id} items={recent.get(h.id) ?? []} when={when} />
              </li>
            ))}
          </ul>
        </section>
      </>
    ),
  };
}

function Deliveries(props: {
  ctx: PageContext;
  hookId: string;
  items: Awaited<ReturnType<typeof listDeliveries>>;
  when: (iso: string | null) => string;
}) {
  if (props.items.length === 0) return <p class="meta">No delivery yet.</p>;
  return (
    <>
      <h3>Latest deliveries</h3>
      <ul class="items">
        {props.items.map((d) => {
          const last = d.attempts[0];
          return (
            <li key={d.id}>
              {d.type} · {d.status === 'delivered' ? `delivered ${props.when(d.deliveredAt)}` : 'waiting'} · {d.attemptCount}{' '}
              {d.attemptCount === 1 ? 'attempt' : 'attempts'}
              {last && ` · last answer: ${last.statusCode === null ? last.response : `HTTP ${last.statusCode}`}`}
              <Form action={`${PATH}/${props.hookId}/redeliver`} csrf={props.ctx.csrf} label={`Send ${d.type} again`}>
                <button type="submit" name="delivery" value={d.id}>
                  Send again
                </button>
              </Form>
            </li>
          );
        })}
      </ul>
    </>
  );
}

const ownerOf = (owner: string | undefined) => {
  const [kind, id] = (owner ?? '').split(':');
  return kind === 'cohort' ? { cohortId: id } : kind === 'organization' ? { organizationId: id } : {};
};

export async function saveWebhook(ctx: PageContext): Promise<Outcome> {
  const f = ctx.form;
  if (!f.owner) return webhooksPage(ctx, { values: f, errors: [{ path: 'owner', message: 'Choose whose partnerships' }] });
  try {
    const created = await createWebhook(ctx.deps, ctx.me, {
      url: f.url,
      format: f.format || 'standard',
      events: WEBHOOK_EVENT_TYPES.filter((t) => f[`event:${t}`] === 'on'),
      ...(f.description?.trim() && { description: f.description }),
      ...ownerOf(f.owner),
    });
    return created.secret
      ? {
          redirect: PATH,
          flash: `Subscribed. Its signing secret, shown this once (keep it in your receiver): ${created.secret}`,
          secret: true,
        }
      : { redirect: PATH, flash: `Subscribed: ${created.url}` };
  } catch (e) {
    return webhooksPage(ctx, { values: f, errors: formIssues(e, 'url') });
  }
}

export async function saveWebhookStatus(ctx: PageContext): Promise<Outcome> {
  const status = ctx.form.status === 'active' ? 'active' : ctx.form.status === 'paused' ? 'paused' : null;
  if (!status) return webhooksPage(ctx, { errors: [{ path: 'status', message: 'Choose pause or resume' }] });
  const hook = await changeWebhook(ctx.deps, ctx.me, ctx.param('id'), { status });
  return { redirect: PATH, flash: status === 'active' ? `Resumed: what waited goes to ${hook.url}, in order.` : `Paused: ${hook.url}.` };
}

export async function newWebhookSecret(ctx: PageContext): Promise<Outcome> {
  try {
    const { secret } = await rotateWebhookSecret(ctx.deps, ctx.me, ctx.param('id'));
    return {
      redirect: PATH,
      flash: `The new signing secret, shown this once: ${secret}. The previous one signs too for a day.`,
      secret: true,
    };
  } catch (e) {
    return webhooksPage(ctx, { errors: formIssues(e, 'secret') });
  }
}

export async function deleteWebhook(ctx: PageContext): Promise<Outcome> {
  await removeWebhook(ctx.deps, ctx.me, ctx.param('id'));
  return { redirect: PATH, flash: 'Removed: nothing more is sent to it.' };
}

export async function resendDelivery(ctx: PageContext): Promise<Outcome> {
  await redeliver(ctx.deps, ctx.me, ctx.param('id'), ctx.form.delivery ?? '');
  return { redirect: PATH, flash: 'It goes again, after those waiting before it.' };
}

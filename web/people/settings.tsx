import { pages } from '../../core/pages.js';
import { changeMailSettings, confirmAddressChange, pendingAddressChange, requestAddressChange } from '../../core/people/identity.js';
import { newFeed } from '../../core/reviews/calendar-feed.js';
import { ConflictError } from '../../lib/errors.js';
import { binder, ErrorSummary, errorOf, Form, Select, TextField } from '../http/layout.js';
import { formFields, formIssues, type Outcome, type PageContext, type PageKit } from '../http/pages.js';
import { TimeZoneSelect } from '../http/time-zone.js';

type Issue = { path: string; message: string };

/** The person's own mail settings (the same rules and action as the API's) and their calendar feed. */
export async function settingsPage(
  ctx: PageContext,
  state: { errors?: Issue[]; values?: Record<string, string>; form?: 'mail' | 'address' } = {},
): Promise<Outcome> {
  const person = await ctx.deps.db.person.findUniqueOrThrow({ where: { id: ctx.me.id } });
  const errors = state.form === 'address' ? [] : (state.errors ?? []);
  const addressErrors = state.form === 'address' ? (state.errors ?? []) : [];
  const v = state.values ?? {
    timeZone: person.timeZone ?? '',
    delivery: person.mailDelivery,
    digestHour: String(person.digestHour),
    quietFrom: person.quietFrom ?? '',
    quietUntil: person.quietUntil ?? '',
  };
  const bind = binder(v, errors);
  return {
    title: 'Settings',
    status: errors.length || addressErrors.length ? 400 : 200,
    body: (
      <>
        <h1>Your settings</h1>
        <section aria-labelledby="mail">
          <h2 id="mail">How you get mail</h2>
          <ErrorSummary errors={errors} />
          <Form action="/settings" csrf={ctx.csrf} label="Mail settings">
            <TimeZoneSelect
              name="timeZone"
              label="Show times in"
              value={v.timeZone}
              emptyLabel="Each partnership's own zone"
              error={errorOf(errors, 'timeZone')}
            />
            <Select
              {...bind('delivery')}
              label="Reminders"
              options={[
                { value: 'immediate', label: 'One by one, as they come' },
                { value: 'daily_digest', label: 'Gathered in one email a day' },
              ]}
            />
            <Select
              {...bind('digestHour')}
              label="Send the daily email at"
              options={Array.from({ length: 24 }, (_, h) => ({ value: String(h), label: `${String(h).padStart(2, '0')}:00` }))}
            />
            <fieldset>
              <legend>Quiet hours (nothing is delivered between these times; leave both empty for none)</legend>
              <TextField name="quietFrom" label="From" type="time" value={v.quietFrom} error={errorOf(errors, 'quietHours.from')} />
              <TextField name="quietUntil" label="Until" type="time" value={v.quietUntil} error={errorOf(errors, 'quietHours.until')} />
            </fieldset>
            <button type="submit">Save settings</button>
          </Form>
        </section>
        <section aria-labelledby="address">
          <h2 id="address">Your address</h2>
          <p>
            Tandem writes to you, and signs you in, at <strong>{person.email}</strong>.
          </p>
          <ErrorSummary errors={addressErrors} />
          <Form action="/settings/new-address" csrf={ctx.csrf} label="Use a new address">
            <TextField
              name="email"
              label="New email address"
              hint="We send a link to the new address; it becomes yours when you open it, and you are then signed out everywhere. Your current address is told."
              type="email"
              autocomplete="email"
              value={state.form === 'address' ? state.values?.email : ''}
              error={errorOf(addressErrors, 'email')}
              required
            />
            <button type="submit" class="secondary">
              Send the link
            </button>
          </Form>
        </section>
        <section aria-labelledby="calendar">
          <h2 id="calendar">Your calendar</h2>
          <p>A private address your calendar app can subscribe to: your reviews and the deadlines you own.</p>
          <Form action="/settings/calendar" csrf={ctx.csrf} label="Calendar feed">
            <button type="submit" class="secondary">
              Make my calendar address
            </button>
          </Form>
        </section>
      </>
    ),
  };
}

export async function saveSettings(ctx: PageContext): Promise<Outcome> {
  const f = ctx.form;
  const quiet = f.quietFrom || f.quietUntil ? { from: f.quietFrom ?? '', until: f.quietUntil ?? '' } : null;
  try {
    await changeMailSettings(ctx.deps, ctx.me, ctx.me.id, {
      timeZone: f.timeZone ? f.timeZone : null,
      delivery: f.delivery as 'immediate',
      digestHour: Number(f.digestHour),
      quietHours: quiet,
    });
  } catch (e) {
    return settingsPage(ctx, { errors: formIssues(e, 'timeZone'), values: f, form: 'mail' });
  }
  return { redirect: pages.settings(), flash: 'Your settings are saved.' };
}

/** A new address: a link goes to it; nothing changes until it is opened. */
export async function askNewAddress(ctx: PageContext): Promise<Outcome> {
  const f = ctx.form;
  try {
    const { newEmail } = await requestAddressChange(ctx.deps, ctx.me, { email: (f.email ?? '').trim() });
    return {
      redirect: pages.settings(),
      flash: `We sent a link to ${newEmail}. Your address changes when you open it; until then Tandem writes to ${ctx.me.email}.`,
    };
  } catch (e) {
    return settingsPage(ctx, { errors: formIssues(e, 'email'), values: f, form: 'address' });
  }
}

const tokenOf = (value: unknown) => (typeof value === 'string' && /^[A-Za-z0-9_-]{20,100}$/.test(value) ? value : '');

/**
 * The page the link sent to a new address opens (no sign-in: holding the address is the proof). One
 * button, so that a mail scanner following the link changes nothing.
 */
export function addressConfirmation(kit: PageKit) {
  const gone: Outcome = {
    title: 'Link expired',
    status: 410,
    body: (
      <section class="narrow">
        <h1>This link has expired or was used already</h1>
        <p>
          Ask for the change again on <a href={pages.settings()}>your settings page</a>.
        </p>
      </section>
    ),
  };
  return {
    page: kit.open(async ({ req, csrf }) => {
      const token = tokenOf(req.query.token);
      const change = token ? await pendingAddressChange(kit.deps, token) : null;
      if (!change) return gone;
      return {
        title: 'Confirm your new address',
        body: (
          <section class="narrow">
            <h1>Confirm your new address</h1>
            <p>
              Tandem will write to <strong>{change.newEmail}</strong> instead of {change.person.email}, and sign {change.person.name} in
              there. You are signed out everywhere once it changes.
            </p>
            <form method="post" action={pages.confirmAddress()}>
              <input type="hidden" name="_csrf" value={csrf} />
              <input type="hidden" name="token" value={token} />
              <button type="submit">Use {change.newEmail}</button>
            </form>
          </section>
        ),
      };
    }),
    confirm: kit.open(async ({ req }) => {
      const token = tokenOf(formFields(req).token);
      if (!token || !(await pendingAddressChange(kit.deps, token))) return gone;
      try {
        const person = await confirmAddressChange(kit.deps, token);
        return { redirect: '/sign-in', flash: `Your address is now ${person.email}. Sign in with it.` };
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
        return {
          title: 'Address not changed',
          status: 409,
          body: (
            <section class="narrow">
              <h1>Your address was not changed</h1>
              <p>{(e as Error).message}</p>
            </section>
          ),
        };
      }
    }),
  };
}

export async function makeCalendarFeed(ctx: PageContext): Promise<Outcome> {
  const { url } = await newFeed(ctx.deps.db, ctx.me, { personId: ctx.me.id }, ctx.deps.publicUrl);
  // After the post, a page of its own: reloading it makes no second address.
  return { redirect: pages.settings(), flash: `Your calendar address, shown this once (keep it private): ${url}`, secret: true };
}

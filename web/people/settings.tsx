import { mailSettingsBody, updateMailSettings } from '../../api/mail/settings.js';
import { newFeed } from '../../api/reviews/calendar.js';
import { zodIssues } from '../../lib/validation.js';
import { ErrorSummary, errorOf, Form, Select, TextField } from '../http/layout.js';
import { formIssues, type Outcome, type PageContext } from '../http/pages.js';

type Issue = { path: string; message: string };

const ZONES = Intl.supportedValuesOf('timeZone');

/** The person's own mail settings (the same rules and action as the API's) and their calendar feed. */
export async function settingsPage(
  ctx: PageContext,
  state: { errors?: Issue[]; feedUrl?: string; values?: Record<string, string> } = {},
): Promise<Outcome> {
  const person = await ctx.deps.db.person.findUniqueOrThrow({ where: { id: ctx.me.id } });
  const errors = state.errors ?? [];
  const v = state.values ?? {
    email: person.email,
    timeZone: person.timeZone ?? '',
    delivery: person.mailDelivery,
    digestHour: String(person.digestHour),
    quietFrom: person.quietFrom ?? '',
    quietUntil: person.quietUntil ?? '',
  };
  return {
    title: 'Settings',
    status: errors.length ? 400 : 200,
    body: (
      <>
        <h1>Your settings</h1>
        <section aria-labelledby="mail">
          <h2 id="mail">How you get mail</h2>
          <ErrorSummary errors={errors} />
          <Form action="/settings" csrf={ctx.csrf} label="Mail settings">
            <TextField
              name="email"
              label="Email address"
              hint="Sign-in links go here too: changing it signs you out everywhere."
              type="email"
              autocomplete="email"
              value={v.email}
              error={errorOf(errors, 'email')}
              required
            />
            <Select
              name="timeZone"
              label="Show times in"
              value={v.timeZone}
              options={[{ value: '', label: "Each partnership's own zone" }, ...ZONES.map((z) => ({ value: z, label: z }))]}
              error={errorOf(errors, 'timeZone')}
            />
            <Select
              name="delivery"
              label="Reminders"
              value={v.delivery}
              options={[
                { value: 'immediate', label: 'One by one, as they come' },
                { value: 'daily_digest', label: 'Gathered in one email a day' },
              ]}
              error={errorOf(errors, 'delivery')}
            />
            <Select
              name="digestHour"
              label="Send the daily email at"
              value={v.digestHour}
              options={Array.from({ length: 24 }, (_, h) => ({ value: String(h), label: `${String(h).padStart(2, '0')}:00` }))}
              error={errorOf(errors, 'digestHour')}
            />
            <fieldset>
              <legend>Quiet hours (nothing is delivered between these times; leave both empty for none)</legend>
              <TextField name="quietFrom" label="From" type="time" value={v.quietFrom} error={errorOf(errors, 'quietHours.from')} />
              <TextField name="quietUntil" label="Until" type="time" value={v.quietUntil} error={errorOf(errors, 'quietHours.until')} />
            </fieldset>
            <button type="submit">Save settings</button>
          </Form>
        </section>
        <section aria-labelledby="calendar">
          <h2 id="calendar">Your calendar</h2>
          <p>A private address your calendar app can subscribe to: your reviews and the deadlines you own.</p>
          {state.feedUrl ? (
            <p>
              Copy this address now; it is shown only once: <code class="secret">{state.feedUrl}</code>
            </p>
          ) : (
            <Form action="/settings/calendar" csrf={ctx.csrf} label="Calendar feed">
              <button type="submit" class="secondary">
                Make my calendar address
              </button>
            </Form>
          )}
        </section>
      </>
    ),
  };
}

export async function saveSettings(ctx: PageContext): Promise<Outcome> {
  const f = ctx.req.body as Record<string, string>;
  const quiet = f.quietFrom || f.quietUntil ? { from: f.quietFrom ?? '', until: f.quietUntil ?? '' } : null;
  const parsed = mailSettingsBody.safeParse({
    email: f.email,
    timeZone: f.timeZone ? f.timeZone : null,
    delivery: f.delivery,
    digestHour: Number(f.digestHour),
    quietHours: quiet,
  });
  if (!parsed.success) return settingsPage(ctx, { errors: zodIssues(parsed.error), values: f });
  try {
    await updateMailSettings(ctx.deps, ctx.me, ctx.me.id, parsed.data);
  } catch (e) {
    return settingsPage(ctx, { errors: formIssues(e, 'email'), values: f });
  }
  return {
    redirect: parsed.data.email && parsed.data.email !== ctx.me.email ? '/sign-in' : '/settings',
    flash: 'Your settings are saved.',
  };
}

export async function makeCalendarFeed(ctx: PageContext): Promise<Outcome> {
  const { url } = await newFeed(ctx.deps.db, ctx.me, { personId: ctx.me.id }, ctx.deps.publicUrl);
  return settingsPage(ctx, { feedUrl: url });
}

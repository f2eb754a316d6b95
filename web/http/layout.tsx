import { randomUUID } from 'node:crypto';
import type { ComponentChildren, InputHTMLAttributes } from 'preact';
import type { PersonPrincipal } from '../../core/people/principal.js';

export interface LayoutProps {
  title: string;
  me: PersonPrincipal | null;
  /** The token every form of the page carries (CSRF). */
  csrf: string;
  /** A message carried over a redirect: what the last form did. */
  flash?: string | null | undefined;
  children: ComponentChildren;
}

/**
 * Every page: a skip link, a header with who is signed in and how to sign out, the content, in one
 * column that reads on a phone. Tandem serves its own stylesheet; there is no script.
 */
export function Layout({ title, me, csrf, flash, children }: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · Tandem`}</title>
        <link rel="stylesheet" href="/assets/tandem.css" />
        <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="top">
          <a class="brand" href="/">
            Tandem
          </a>
          {me?.via === 'task-link' && (
            <nav aria-label="Account">
              <a href="/sign-in">Sign in for all your work</a>
            </nav>
          )}
          {me && me.via !== 'task-link' && (
            <nav aria-label="Account">
              <a href="/">My work</a>
              <a href="/dashboard">Dashboard</a>
              <a href="/settings">Settings</a>
              <form method="post" action="/sign-out" class="inline">
                <input type="hidden" name="_csrf" value={csrf} />
                <button type="submit" class="link">
                  Sign out <span class="who">({me.name})</span>
                </button>
              </form>
            </nav>
          )}
        </header>
        <main id="main">
          {me?.via === 'task-link' && (
            <p class="notice" role="note">
              You are acting as {me.name} on this page only, through a link from their email.
            </p>
          )}
          {flash && (
            <p class="flash" role="status">
              {flash}
            </p>
          )}
          {children}
        </main>
      </body>
    </html>
  );
}

/** A form's fields' problems, at its top, each linking to its field (as the GOV.UK pattern does). */
export function ErrorSummary({ errors }: { errors: { path: string; message: string }[] }) {
  if (errors.length === 0) return null;
  return (
    <div class="errors" role="alert" tabindex={-1}>
      <h2>There is a problem</h2>
      <ul>
        {errors.map((e) => (
          <li key={e.path}>
            <a href={`#${fieldId(e.path)}`}>{e.message}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}

export const fieldId = (name: string) => `f-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;

interface FieldProps {
  name: string;
  /** The element's id when the page has this field more than once (one form per member); by default from the name. */
  id?: string | undefined;
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
}

const idOf = ({ name, id }: FieldProps) => id ?? fieldId(name);

function Label(props: FieldProps) {
  const { label, hint, error } = props;
  return (
    <>
      <label for={idOf(props)}>{label}</label>
      {hint && (
        <p class="hint" id={`${idOf(props)}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p class="field-error" id={`${idOf(props)}-error`}>
          {error}
        </p>
      )}
    </>
  );
}

const describedBy = (props: FieldProps) =>
  [props.hint && `${idOf(props)}-hint`, props.error && `${idOf(props)}-error`].filter(Boolean).join(' ') || undefined;

export function TextField(
  props: FieldProps & {
    value?: string | undefined;
    type?: 'text' | 'email' | 'url' | 'date' | 'time' | 'datetime-local';
    required?: boolean;
    autocomplete?: string;
    inputmode?: 'email' | 'decimal';
  },
) {
  return (
    <div class={props.error ? 'field invalid' : 'field'}>
      <Label {...props} />
      <input
        {...({
          id: idOf(props),
          name: props.name,
          // Preact types each input type apart; this one field serves several.
          type: props.type ?? 'text',
          value: props.value ?? '',
          required: props.required,
          autocomplete: props.autocomplete,
          inputmode: props.inputmode,
          'aria-describedby': describedBy(props),
          'aria-invalid': props.error ? 'true' : undefined,
        } as InputHTMLAttributes)}
      />
    </div>
  );
}

export function TextArea(props: FieldProps & { value?: string | undefined | null; required?: boolean; rows?: number }) {
  return (
    <div class={props.error ? 'field invalid' : 'field'}>
      <Label {...props} />
      <textarea
        id={idOf(props)}
        name={props.name}
        rows={props.rows ?? 4}
        required={props.required}
        aria-describedby={describedBy(props)}
        aria-invalid={props.error ? 'true' : undefined}
      >
        {props.value ?? ''}
      </textarea>
    </div>
  );
}

/** A box to tick, its label beside it (a large target on a phone: the label ticks it too). */
export function Checkbox({
  name,
  id,
  label,
  checked,
  value = 'on',
}: {
  name: string;
  id: string;
  label: string;
  checked: boolean;
  /** What it sends when ticked; several boxes of one name each send their own. */
  value?: string;
}) {
  return (
    <div class="field check">
      <input type="checkbox" id={id} name={name} value={value} checked={checked} />
      <label for={id}>{label}</label>
    </div>
  );
}

type Option = { value: string; label: string };

/** A list to choose from; `groups` follow the plain `options` (a long list, such as time zones, by region). */
export function Select(
  props: FieldProps & {
    value?: string | undefined;
    options: readonly Option[];
    groups?: { label: string; options: readonly Option[] }[];
    required?: boolean;
  },
) {
  const option = (o: Option) => (
    <option key={o.value} value={o.value} selected={o.value === props.value}>
      {o.label}
    </option>
  );
  return (
    <div class={props.error ? 'field invalid' : 'field'}>
      <Label {...props} />
      <select
        id={idOf(props)}
        name={props.name}
        required={props.required}
        aria-describedby={describedBy(props)}
        aria-invalid={props.error ? 'true' : undefined}
      >
        {props.options.map(option)}
        {props.groups?.map((g) => (
          <optgroup key={g.label} label={g.label}>
            {g.options.map(option)}
          </optgroup>
        ))}
      </select>
    </div>
  );
}

/** One of a few choices, each spelled out in full: radio buttons that wrap on a phone, unlike a list's options. */
export function Choices(props: {
  name: string;
  legend: string;
  value?: string | undefined;
  options: readonly Option[];
  error?: string | undefined;
}) {
  return (
    <fieldset class={props.error ? 'field invalid' : undefined} id={fieldId(props.name)}>
      <legend>{props.legend}</legend>
      {props.error && <p class="field-error">{props.error}</p>}
      {props.options.map((o) => (
        <label class="choice" key={o.value}>
          <input type="radio" name={props.name} value={o.value} checked={o.value === props.value} /> {o.label}
        </label>
      ))}
    </fieldset>
  );
}

/** The cohort a page is about: one of those the reader sees, or (with `anyLabel`) all of them. */
export function CohortSelect({
  name = 'cohort',
  cohorts,
  value,
  anyLabel,
}: {
  name?: string;
  cohorts: { id: string; name: string }[];
  value?: string | undefined;
  anyLabel?: string;
}) {
  const options = [...(anyLabel ? [{ value: '', label: anyLabel }] : []), ...cohorts.map((c) => ({ value: c.id, label: c.name }))];
  return <Select name={name} label="Cohort" value={value} options={options} required={!anyLabel} />;
}

/** A form that posts to `action` with the page's CSRF token. */
export function Form({
  action,
  csrf,
  children,
  multipart,
  label,
}: {
  action: string;
  csrf: string;
  children: ComponentChildren;
  multipart?: boolean;
  label?: string;
}) {
  return (
    <form method="post" action={action} enctype={multipart ? 'multipart/form-data' : undefined} aria-label={label}>
      <input type="hidden" name="_csrf" value={csrf} />
      {/* Each rendering of a form is one submission: sent twice, it acts once (web/http/pages.tsx). */}
      <input type="hidden" name={SUBMISSION_FIELD} value={randomUUID()} />
      {children}
    </form>
  );
}

/** The way back above a page's heading: the partnership, the dashboard or the cohort it belongs to. */
export function Crumb({ href, children }: { href: string; children: ComponentChildren }) {
  return (
    <p class="crumbs">
      <a href={href}>{children}</a>
    </p>
  );
}

/** The hidden field that names one submission of a form. */
export const SUBMISSION_FIELD = '_submission';

/** Errors of one field, by its path, out of a list. */
export const errorOf = (errors: { path: string; message: string }[], path: string) => errors.find((e) => e.path === path)?.message;

/**
 * A form's fields bound to what was sent back and what was wrong with it: `{...bind('title')}` gives a
 * field its name, the value sent and its error, so that the three cannot name different things.
 */
export const binder =
  (values: object, errors: { path: string; message: string }[]) =>
  (name: string): { name: string; value: string | undefined; error: string | undefined } => {
    const value = (values as Record<string, unknown>)[name];
    return { name, value: typeof value === 'string' ? value : undefined, error: errorOf(errors, name) };
  };

/**
 * What a form shows after a submission was refused: its errors, the values sent back (or, on a first
 * visit, `defaults`) and their binder. On a page with several forms, only the one named `form` (the
 * state's `form`, set by the action that refused it) shows them; the others start blank.
 */
export function formState<V extends object = Record<string, string>>(
  state: { errors?: { path: string; message: string }[]; values?: V; form?: string },
  options: { form?: string; defaults?: V } = {},
) {
  const mine = options.form === undefined || state.form === options.form;
  const errors = mine ? (state.errors ?? []) : [];
  const v = (mine ? state.values : undefined) ?? options.defaults ?? ({} as V);
  return { errors, v, bind: binder(v, errors) };
}

import { randomBytes } from 'node:crypto';
import { fromNodeHeaders } from 'better-auth/node';
import { doubleCsrf } from 'csrf-csrf';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { type PersonPrincipal, personPrincipal } from '../../core/people/principal.js';
import { grantedPerson } from '../../core/people/task-links.js';
import { SIGN_IN_PARAMS } from '../../lib/auth/better-auth.js';
import { type Db, isUniqueViolation } from '../../lib/db/client.js';
import { ConflictError, type FieldIssue, NotFoundError, TandemError, UnprocessableError, ValidationError } from '../../lib/errors.js';
import type { WebDeps } from './deps.js';
import { Layout, SUBMISSION_FIELD } from './layout.js';

/** What a page handler works with. */
export interface PageContext {
  req: Request;
  res: Response;
  deps: WebDeps;
  /** The signed-in person (pages that need one redirect to the sign-in page first). */
  me: PersonPrincipal;
  /** The CSRF token for the page's forms. */
  csrf: string;
  /** What the previous form did, carried over its redirect. */
  flash: string | null;
  /** An id from the page's address; the router has checked that it is one (web/app.tsx). */
  param(name: IdParam): string;
  /** The form's text fields as sent (none for a GET); the core's commands check them as the API's bodies. */
  form: Record<string, string>;
}

/**
 * A form's text fields: a field sent twice, or anything else that is not text, is left out, so that
 * a hand-made request cannot hand a list where the page expects a line.
 */
export function formFields(req: Request): Record<string, string> {
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null) return {};
  return Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** The address parts that hold an id: the router answers 404 for anything else in them. */
export const ID_PARAMS = ['partnershipId', 'id', 'reviewId', 'cycleId', 'personId', 'fileId'] as const;
export type IdParam = (typeof ID_PARAMS)[number];

function paramOf(req: Request) {
  return (name: IdParam): string => {
    const value = req.params[name];
    if (typeof value !== 'string') throw new NotFoundError(`There is no page at ${req.path}`);
    return value;
  };
}

/** A page to show, or where to go after a form (with what to tell there). */
export type Outcome =
  | { title: string; body: VNode; status?: number }
  | {
      redirect: string;
      flash?: string;
      /** The flash holds a secret shown once: a second submit of the form is not told it again. */
      secret?: boolean;
    };

const FLASH_COOKIE = 'tandem.flash';
const SUBMISSION_KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** How long a form's first answer is kept for a repeat, and how long a repeat waits for it. */
const SUBMISSION_KEPT_MS = 24 * 3_600_000;
const SUBMISSION_WAIT_MS = 30_000;
const VISITOR_COOKIE = 'tandem.visitor';

/**
 * The pieces every page shares: who is signed in (Better Auth's session cookie), the CSRF token of
 * its forms (csrf-csrf, double submit, bound to the session or, before sign-in, to the browser),
 * the flash of the last form, and rendering through the layout. Preact renders, and escapes every
 * value it is given: no page is put together from strings.
 */
export function pageKit(deps: WebDeps) {
  const secure = deps.publicUrl.startsWith('https:');
  const cookie = { httpOnly: true, sameSite: 'lax' as const, secure, path: '/' };
  const { csrf, csrfToken } = csrfOf(deps, cookie);

  function render(req: Request, res: Response, me: PersonPrincipal | null, outcome: Outcome) {
    if ('redirect' in outcome) {
      if (outcome.flash) res.cookie(FLASH_COOKIE, outcome.flash, { ...cookie, maxAge: 60_000 });
      res.redirect(303, outcome.redirect);
      return;
    }
    const flash = typeof req.cookies?.[FLASH_COOKIE] === 'string' ? (req.cookies[FLASH_COOKIE] as string) : null;
    if (flash) res.clearCookie(FLASH_COOKIE, cookie);
    const html = renderToString(
      <Layout title={outcome.title} me={me} csrf={csrfToken(req, res)} flash={flash}>
        {outcome.body}
      </Layout>,
    );
    res
      .status(outcome.status ?? 200)
      .type('html')
      .set('Cache-Control', 'no-store')
      .send(`<!doctype html>${html}`);
  }

  /** A page or form of a signed-in person; without a session, the sign-in page (or the link's). */
  function signedIn(handler: (ctx: PageContext) => Promise<Outcome>): RequestHandler {
    return async (req, res, next) => {
      try {
        const me = await whoIs(deps, req);
        if (!me) {
          if (req.method === 'GET') {
            res.redirect(303, signInFor(req.originalUrl));
            return;
          }
          render(req, res, null, { title: 'Signed out', status: 401, body: <SignedOut /> });
          return;
        }
        // A link with a token for someone else than the person signed in: their page decides.
        const token = req.method === 'GET' ? req.query[SIGN_IN_PARAMS.token] : undefined;
        if (typeof token === 'string') {
          res.redirect(303, pastTheLink(req.originalUrl, token, req.query[SIGN_IN_PARAMS.person], me));
          return;
        }
        const run = () =>
          handler({ req, res, deps, me, csrf: csrfToken(req, res), flash: null, param: paramOf(req), form: formFields(req) });
        render(req, res, me, req.method === 'POST' ? await onceOnly(deps.db, req, me, run) : await run());
      } catch (e) {
        fail(req, res, e, next);
      }
    };
  }

  /** A page anyone may see (sign-in, a link's confirmation): the person, if any, is passed along. */
  function open(handler: (ctx: Omit<PageContext, 'me'> & { me: PersonPrincipal | null }) => Promise<Outcome>): RequestHandler {
    return async (req, res, next) => {
      try {
        const me = await whoIs(deps, req);
        render(
          req,
          res,
          me,
          await handler({ req, res, deps, me, csrf: csrfToken(req, res), flash: null, param: paramOf(req), form: formFields(req) }),
        );
      } catch (e) {
        fail(req, res, e, next);
      }
    };
  }

  function fail(req: Request, res: Response, e: unknown, next: NextFunction) {
    if (e instanceof TandemError) {
      render(req, res, (req as Request & { tandemMe?: PersonPrincipal | null }).tandemMe ?? null, {
        title: e.title,
        status: e.status,
        body: <Problem title={e.title} detail={e.message} />,
      });
      return;
    }
    next(e);
  }

  /** CSRF failures and other refusals of the form layer, as pages rather than JSON. */
  const formErrors = (e: unknown, req: Request, res: Response, next: NextFunction) => {
    if ((e as { code?: string })?.code === 'EBADCSRFTOKEN') {
      render(req, res, null, {
        title: 'Form expired',
        status: 403,
        body: <Problem title="This form has expired" detail="Go back, reload the page and send it again." />,
      });
      return;
    }
    next(e);
  };

  return { deps, signedIn, open, csrfProtection: csrf.doubleCsrfProtection, formErrors, render, whoIs: (req: Request) => whoIs(deps, req) };
}

export type PageKit = ReturnType<typeof pageKit>;

/**
 * The CSRF protection of every form (csrf-csrf, double submit), and the token of a page's forms,
 * bound to the session or, before sign-in, to the browser.
 */
function csrfOf(deps: WebDeps, cookie: { httpOnly: boolean; sameSite: 'lax'; secure: boolean; path: string }) {
  const csrf = doubleCsrf({
    getSecret: () => deps.secret,
    getSessionIdentifier: (req) => sessionCookie(req) ?? req.cookies?.[VISITOR_COOKIE] ?? '',
    cookieName: 'tandem.csrf',
    cookieOptions: cookie,
    getCsrfTokenFromRequest: (req) => (req.body as { _csrf?: string } | undefined)?._csrf,
    errorConfig: { statusCode: 403, message: 'This form has expired. Go back, reload the page and send it again.' },
  });

  /**
   * The CSRF token of a page's forms. Before sign-in there is no session: the browser then gets a
   * random id (a cookie) that its tokens are bound to.
   */
  const csrfToken = (req: Request, res: Response) => {
    // Once per request: a second token would replace the cookie the first one's forms depend on.
    const made = (req as Request & { tandemCsrf?: string }).tandemCsrf;
    if (made) return made;
    if (!sessionCookie(req) && !req.cookies?.[VISITOR_COOKIE]) {
      const id = randomBytes(16).toString('base64url');
      res.cookie(VISITOR_COOKIE, id, cookie);
      req.cookies = { ...req.cookies, [VISITOR_COOKIE]: id };
    }
    const token = csrf.generateCsrfToken(req, res);
    (req as Request & { tandemCsrf?: string }).tandemCsrf = token;
    return token;
  };
  return { csrf, csrfToken };
}

/**
 * Who acts: on a page a link of one of their emails opened (its grant's cookie, sent for that page
 * only), its recipient; elsewhere whoever is signed in.
 */
async function whoIs(deps: WebDeps, req: Request): Promise<PersonPrincipal | null> {
  const cached = (req as Request & { tandemMe?: PersonPrincipal | null }).tandemMe;
  if (cached !== undefined) return cached;
  const granted = await grantedPerson(deps.db, taskGrants(req), req.path);
  let me: PersonPrincipal | null = null;
  if (granted) {
    const person = await personPrincipal(deps.db, granted);
    me = person && { ...person, via: 'task-link' };
  } else {
    const session = await deps.auth.auth.api.getSession({ headers: fromNodeHeaders(req.headers) });
    me = session ? await personPrincipal(deps.db, session.user.id) : null;
  }
  (req as Request & { tandemMe?: PersonPrincipal | null }).tandemMe = me;
  return me;
}

/** Where a signed-out GET goes: a link's confirmation when its address carries a token, else the sign-in page; back here after. */
function signInFor(originalUrl: string): string {
  const there = new URL(originalUrl, 'http://x');
  const to = there.searchParams.has(SIGN_IN_PARAMS.token) ? '/link' : '/sign-in';
  if (to === '/sign-in') there.searchParams.delete(SIGN_IN_PARAMS.person);
  const query = new URLSearchParams(there.searchParams);
  query.delete(SIGN_IN_PARAMS.token);
  query.delete(SIGN_IN_PARAMS.person);
  const params = new URLSearchParams({ next: `${there.pathname}${query.size ? `?${query}` : ''}` });
  if (to === '/link') {
    params.set(SIGN_IN_PARAMS.token, there.searchParams.get(SIGN_IN_PARAMS.token) ?? '');
    const u = there.searchParams.get(SIGN_IN_PARAMS.person);
    if (u) params.set(SIGN_IN_PARAMS.person, u);
  }
  return `${to}?${params}`;
}

/**
 * A link with a token opened by someone signed in: its recipient goes to the page (the token stays
 * unused, the address clean); anyone else to the link's confirmation, which decides.
 */
function pastTheLink(originalUrl: string, token: string, recipient: unknown, me: PersonPrincipal): string {
  const there = new URL(originalUrl, 'http://x');
  if (recipient === me.id) {
    there.searchParams.delete(SIGN_IN_PARAMS.token);
    there.searchParams.delete(SIGN_IN_PARAMS.person);
    return `${there.pathname}${there.search}`;
  }
  const params = new URLSearchParams({ [SIGN_IN_PARAMS.token]: token, next: there.pathname });
  if (typeof recipient === 'string') params.set(SIGN_IN_PARAMS.person, recipient);
  return `/link?${params}`;
}

/**
 * A form acts once per rendering (its hidden submission key): sent again (a double click, a
 * reload, the same page in two tabs), it waits for the first one's answer and gets its redirect.
 * A submission that fails, or shows its form again with mistakes, leaves nothing behind: the form
 * shown again is a new submission.
 */
async function onceOnly(db: Db, req: Request, me: PersonPrincipal, run: () => Promise<Outcome>): Promise<Outcome> {
  const key = (req.body as Record<string, unknown> | undefined)?.[SUBMISSION_FIELD];
  if (typeof key !== 'string' || !SUBMISSION_KEY.test(key)) return run();
  const id = { personId_key: { personId: me.id, key } };
  await db.formSubmission.deleteMany({ where: { createdAt: { lt: new Date(Date.now() - SUBMISSION_KEPT_MS) } } });
  try {
    await db.formSubmission.create({ data: { personId: me.id, key, path: req.path } });
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    for (let waited = 0; waited < SUBMISSION_WAIT_MS; waited += 200) {
      const first = await db.formSubmission.findUnique({ where: id });
      if (!first) break;
      if (first.redirect) return { redirect: first.redirect, ...(first.flash && { flash: first.flash }) };
      await new Promise((r) => setTimeout(r, 200));
    }
    return {
      title: 'Already sent',
      status: 409,
      body: (
        <Problem
          title="This form was sent already"
          detail="It is still being handled, or it failed: go back and reload the page to see where things stand."
        />
      ),
    };
  }
  let outcome: Outcome;
  try {
    outcome = await run();
  } catch (e) {
    await db.formSubmission.delete({ where: id }).catch(() => {});
    throw e;
  }
  if ('redirect' in outcome) {
    const flash = outcome.secret ? 'Done already: the address was shown to the first submission of this form.' : (outcome.flash ?? null);
    await db.formSubmission.update({ where: id, data: { redirect: outcome.redirect, flash } });
  } else {
    await db.formSubmission.delete({ where: id }).catch(() => {});
  }
  return outcome;
}

/**
 * What a form shows when its action refuses: the mistakes the person can fix (bad input, a state
 * that moved on) beside the fields, under `path` when the error names none. Anything else (not
 * signed in, not allowed, not found, a dependency down) is rethrown, so it gets its own page and
 * its own status rather than a form that looks as if trying again could help.
 */
export function formIssues(e: unknown, path: string): FieldIssue[] {
  if (e instanceof ValidationError && e.issues.length) return e.issues;
  if (e instanceof ValidationError || e instanceof ConflictError || e instanceof UnprocessableError) {
    return [{ path, message: e.message }];
  }
  throw e;
}

/** The name of the cookie an opened task link leaves, restricted to its page's path. */
export const TASK_COOKIE = 'tandem.task';

/** Every task grant the browser sent (one per page whose link it opened; cookie-parser keeps only the first). */
function taskGrants(req: Request): string[] {
  return (req.headers.cookie ?? '')
    .split(';')
    .map((c) => c.trim())
    .filter((c) => c.startsWith(`${TASK_COOKIE}=`))
    .map((c) => decodeURIComponent(c.slice(TASK_COOKIE.length + 1)));
}

function sessionCookie(req: Request): string | undefined {
  const cookies = req.cookies as Record<string, string> | undefined;
  return cookies?.['tandem.session_token'] ?? cookies?.['__Secure-tandem.session_token'];
}

export function Problem({ title, detail }: { title: string; detail: string }) {
  return (
    <section>
      <h1>{title}</h1>
      <p>{detail}</p>
      <p>
        <a href="/">Back to my work</a>
      </p>
    </section>
  );
}

function SignedOut() {
  return (
    <section>
      <h1>You are signed out</h1>
      <p>
        <a href="/sign-in">Sign in</a> and send the form again.
      </p>
    </section>
  );
}

import { fromNodeHeaders } from 'better-auth/node';
import express, { type Request, type RequestHandler, type Response, Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { ComponentChildren } from 'preact';
import { z } from 'zod';
import { requestMail } from '../../core/mail/send.js';
import { freshLink } from '../../core/mail/templates.js';
import { pages } from '../../core/pages.js';
import { syncProviders } from '../../core/people/identity-providers.js';
import { findTaskLink, openTaskLink, taskLinks, usable } from '../../core/people/task-links.js';
import { tellPerson } from '../../core/people/tell.js';
import { SIGN_IN_PARAMS, vouchesFor } from '../../lib/auth/better-auth.js';
import { PostgresRateLimitStore } from '../../lib/db/rate-limit-store.js';
import type { WebDeps } from '../http/deps.js';
import { ErrorSummary, Form, TextField } from '../http/layout.js';
import { formFields, type Outcome, type PageKit, TASK_COOKIE } from '../http/pages.js';

/**
 * Signing in and out. An emailed link (Better Auth's magic link; sent through the outbox), or the
 * district's identity provider when one is configured. A link in any message signs its recipient
 * in: it opens a confirmation page first, so that a mail scanner following links uses up nothing,
 * and once used or expired it offers its recipient a fresh one.
 */

/** Where a sign-in may lead: a path of this site, never elsewhere. */
const localPath = z
  .string()
  .regex(/^\/(?!\/)[^\s\\]*$/)
  .catch('/');

const email = z
  .email()
  .max(320)
  .transform((v) => v.toLowerCase());

const WINDOW_MS = 15 * 60_000;

/** The answer to "send me a link": the same whether or not the address is known, or was limited. */
const sent = (): Outcome => ({
  title: 'Check your email',
  body: (
    <section>
      <h1>Check your email</h1>
      <p>If that address belongs to someone in Tandem, a sign-in link is on its way to it. The link works once.</p>
      <p>
        Nothing arrived? Check your spam folder, or <a href="/sign-in">try again</a> in a few minutes.
      </p>
    </section>
  ),
});

/** What the routes of the sign-in door share: the router, the kit, the body parser and the limits. */
interface Door {
  router: Router;
  deps: WebDeps;
  kit: PageKit;
  form: RequestHandler;
  perIp: RequestHandler;
  perAddress: RequestHandler;
  signInPage: ReturnType<typeof signInPageOf>;
}

/** Sign-in by emailed link or an organization's provider, the links in mail, and sign-out. */
export function signInRoutes(deps: WebDeps, kit: PageKit): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '16kb' });
  const door: Door = { router, deps, kit, form, ...limitsOf(deps, kit), signInPage: signInPageOf(deps, kit) };
  addSignIn(door);
  addLinks(door);
  addSignOut(door);
  return router;
}

function limitsOf(deps: WebDeps, kit: PageKit) {
  const tooMany: RequestHandler = (req, res) =>
    kit.render(req, res, null, {
      title: 'Too many requests',
      status: 429,
      body: (
        <section>
          <h1>Too many sign-in requests</h1>
          <p>Wait a quarter of an hour, then try again.</p>
        </section>
      ),
    });
  // Per IP: refused openly. Per address: silently not sent, so the answer still tells nothing.
  // Counted in PostgreSQL: every API replica sees the same counts.
  const perIp = rateLimit({
    windowMs: WINDOW_MS,
    limit: 20,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: tooMany,
    store: new PostgresRateLimitStore(deps.db, 'sign-in:ip'),
  });
  const perAddress = rateLimit({
    store: new PostgresRateLimitStore(deps.db, 'sign-in:address'),
    windowMs: WINDOW_MS,
    limit: 5,
    standardHeaders: false,
    legacyHeaders: false,
    keyGenerator: (req) => {
      const b = formFields(req);
      return `to:${(b?.email ?? b?.[SIGN_IN_PARAMS.person] ?? '').trim().toLowerCase()}`;
    },
    handler: (req, _res, next) => {
      (req as Request & { limited?: boolean }).limited = true;
      next();
    },
  });

  return { perIp, perAddress };
}

function signInPageOf(deps: WebDeps, kit: PageKit) {
  return (next: string, opts: { error?: string; value?: string; providerError?: string } = {}) =>
    kit.open(async ({ csrf }) => {
      await syncProviders(deps);
      const providers = deps.auth.providers();
      return {
        title: 'Sign in',
        status: opts.error ? 400 : 200,
        body: (
          <section class="narrow">
            <h1>Sign in to Tandem</h1>
            {opts.error && <ErrorSummary errors={[{ path: 'email', message: opts.error }]} />}
            <Form action="/sign-in" csrf={csrf} label="Sign in with an emailed link">
              <input type="hidden" name="next" value={next} />
              <TextField
                name="email"
                label="Your email address"
                hint="We send you a link that signs you in."
                type="email"
                inputmode="email"
                autocomplete="email"
                required
                value={opts.value}
                error={opts.error}
              />
              <button type="submit">Send me a sign-in link</button>
            </Form>
            {providers.length === 1 && (
              <Form action="/sign-in/provider" csrf={csrf} label={`Sign in with ${providers[0]?.name}`}>
                <input type="hidden" name="next" value={next} />
                <input type="hidden" name="provider" value={providers[0]?.providerId} />
                <p class="or">or</p>
                <ErrorSummary errors={opts.providerError ? [{ path: 'work-email', message: opts.providerError }] : []} />
                <button type="submit" class="secondary">
                  Sign in with {providers[0]?.name}
                </button>
              </Form>
            )}
            {providers.length > 1 && (
              <Form action="/sign-in/provider" csrf={csrf} label="Sign in with your organization's account">
                <input type="hidden" name="next" value={next} />
                <p class="or">or</p>
                <TextField
                  name="work-email"
                  label="Your work address, to sign in with your organization's account"
                  hint={`For ${providers.flatMap((p) => p.domains).join(', ')}.`}
                  type="email"
                  inputmode="email"
                  autocomplete="email"
                  error={opts.providerError}
                />
                <button type="submit" class="secondary">
                  Sign in with my organization's account
                </button>
              </Form>
            )}
          </section>
        ),
      };
    });
}

function addSignIn({ router, deps, kit, form, perIp, perAddress, signInPage }: Door) {
  router.get('/sign-in', (req, res, next) => {
    const error = typeof req.query.error === 'string' ? providerError(req.query.error) : undefined;
    return signInPage(localPath.parse(req.query.next), { error })(req, res, next);
  });

  router.post('/sign-in', form, kit.csrfProtection, perIp, perAddress, async (req, res, next) => {
    const body = formFields(req);
    const to = localPath.parse(body.next);
    const address = email.safeParse((body.email ?? '').trim());
    if (!address.success) {
      return signInPage(to, { error: 'Enter an email address, like name@district.org', value: body.email })(req, res, next);
    }
    try {
      if (!(req as Request & { limited?: boolean }).limited) {
        await deps.auth.auth.api.signInMagicLink({
          body: { email: address.data, metadata: { next: to } },
          headers: fromNodeHeaders(req.headers),
        });
      }
      kit.render(req, res, null, sent());
    } catch (e) {
      next(e);
    }
  });

  router.post('/sign-in/provider', form, kit.csrfProtection, perIp, async (req, res, next) => {
    try {
      const body = formFields(req);
      const to = localPath.parse(body.next);
      await syncProviders(deps);
      const providers = deps.auth.providers();
      // A provider by its button (when there is one), or the one whose domain the address is in.
      const address = (body['work-email'] ?? '').trim().toLowerCase();
      const provider = body.provider
        ? providers.find((p) => p.providerId === body.provider)
        : providers.find((p) => vouchesFor(p, address));
      if (!provider) {
        const providerError = address
          ? `No organization's sign-in serves ${address.split('@').at(-1)}: sign in with an emailed link instead`
          : 'Enter your work address, like name@district.org';
        return signInPage(to, { providerError })(req, res, next);
      }
      const answer = await deps.auth.auth.api.signInSocial({
        body: { provider: provider.providerId, callbackURL: to, errorCallbackURL: '/sign-in' },
        headers: fromNodeHeaders(req.headers),
        asResponse: true,
      });
      relayCookies(answer, res);
      const { url } = (await answer.json()) as { url?: string };
      if (!url) throw new Error('the identity provider gave no address to go to');
      res.redirect(303, url);
    } catch (e) {
      next(e);
    }
  });
}

function addLinks(door: Door) {
  addLinkPage(door);
  addLinkUse(door);
  addFreshLink(door);
}

function addLinkPage({ router, deps, kit }: Door) {
  // The page a link opens: one button, so that following the link (a mail scanner does) uses nothing up.
  router.get(
    '/link',
    kit.open(async ({ req, me, csrf }) => {
      const token = typeof req.query[SIGN_IN_PARAMS.token] === 'string' ? (req.query[SIGN_IN_PARAMS.token] as string) : '';
      const person = typeof req.query[SIGN_IN_PARAMS.person] === 'string' ? (req.query[SIGN_IN_PARAMS.person] as string) : '';
      const to = localPath.parse(req.query.next);
      const task = await findTaskLink(deps.db, token);
      if (task) {
        // Signed in as its recipient already: the page is theirs, the link stays unused.
        if (me && me.id === task.personId && me.via !== 'task-link') return { redirect: task.target };
        if (!usable(task)) return expired(csrf, task.personId, task.target, 'task');
        return continuePage(
          csrf,
          token,
          task.personId,
          task.target,
          <>
            <p>
              This link was sent to <strong>{task.person.name}</strong>. It opens one page of their work in Tandem,{' '}
              {describeTarget(task.target)}, and lets this browser act on it as {task.person.name} for {minutes(deps.taskLinks.grantTtlMs)}.
              The rest of their work takes a sign-in of their own.
            </p>
            {me && me.id !== task.personId && (
              <p>
                You are signed in as {me.name}, and you stay signed in: only this page acts as {task.person.name}.
              </p>
            )}
          </>,
        );
      }
      if (me && me.id === person && me.via !== 'task-link') return { redirect: to };
      const recipient = z.uuid().safeParse(person).success
        ? await deps.db.person.findUnique({ where: { id: person }, select: { name: true } })
        : null;
      return continuePage(
        csrf,
        token,
        person,
        to,
        <>
          <p>This link signs in {recipient ? <strong>{recipient.name}</strong> : 'the person it was sent to'}.</p>
          {me && me.id !== person && <p>You are signed in as {me.name}: continuing signs you out first.</p>}
        </>,
      );
    }),
  );
}

/** Following a link: a message's opens its one page for a while; a sign-in link signs its recipient in. */
function addLinkUse({ router, deps, kit, form }: Door) {
  router.post('/link', form, kit.csrfProtection, async (req, res, next) => {
    try {
      const body = formFields(req);
      const token = body[SIGN_IN_PARAMS.token] ?? '';
      const task = await findTaskLink(deps.db, token);
      if (task) {
        const opened = await openTaskLink(deps.db, token, deps.taskLinks.grantTtlMs);
        if (!opened) return kit.open(async ({ csrf }) => expired(csrf, task.personId, task.target, 'task'))(req, res, next);
        // Sent back for that page (and its forms and files) only, until the grant ends.
        res.cookie(TASK_COOKIE, opened.grant, {
          path: opened.target,
          httpOnly: true,
          sameSite: 'lax',
          secure: deps.publicUrl.startsWith('https:'),
          expires: opened.grantExpiresAt,
        });
        return res.redirect(303, opened.target);
      }
      const to = localPath.parse(body.next);
      const headers = fromNodeHeaders(req.headers);
      // A sign-in link is its recipient's: whoever was signed in here is signed out first.
      if (await kit.whoIs(req)) {
        relayCookies(await deps.auth.auth.api.signOut({ headers, asResponse: true }), res);
        headers.delete('cookie');
      }
      const answer = await deps.auth.auth.api.magicLinkVerify({
        query: { token, callbackURL: to },
        headers,
        asResponse: true,
      });
      const location = answer.headers.get('location') ?? '';
      if (answer.status >= 400 || location.includes('error=')) {
        return kit.open(async ({ csrf }) => expired(csrf, body[SIGN_IN_PARAMS.person] ?? '', to, 'sign-in'))(req, res, next);
      }
      relayCookies(answer, res);
      res.redirect(303, to);
    } catch (e) {
      next(e);
    }
  });
}

function addFreshLink({ router, deps, kit, form, perIp, perAddress }: Door) {
  // A fresh link, to the recipient's own address only, whoever asks: a sign-in link for a sign-in
  // link, a link to the same page for a message's.
  router.post('/link/fresh', form, kit.csrfProtection, perIp, perAddress, async (req, res, next) => {
    try {
      const body = formFields(req);
      const to = localPath.parse(body.next);
      const id = z.uuid().safeParse(body[SIGN_IN_PARAMS.person]);
      const person = id.success ? await deps.db.person.findUnique({ where: { id: id.data } }) : null;
      if (person && !(req as Request & { limited?: boolean }).limited && body.kind !== 'task') {
        // A sign-in link again: the person asked to sign in.
        await deps.auth.auth.api.signInMagicLink({
          body: { email: person.email, metadata: { next: to } },
          headers: fromNodeHeaders(req.headers),
        });
      } else if (person && !(req as Request & { limited?: boolean }).limited) {
        const link = taskLinks(deps.db, { publicUrl: deps.publicUrl, ...deps.taskLinks });
        const now = Date.now();
        await tellPerson(requestMail(deps, link), person, {
          messageKey: `fresh-link:${person.id}:${now}`,
          template: 'sign-in',
          target: to,
          render: (timeZone, url) => freshLink({ link: url, timeZone, expiresAt: now + deps.taskLinks.linkTtlMs }),
        });
      }
      kit.render(req, res, null, sent());
    } catch (e) {
      next(e);
    }
  });
}

function addSignOut({ router, deps, kit, form }: Door) {
  // A sign-out address opened (a bookmark, a typed address): a button, since signing out is a form.
  router.get(
    '/sign-out',
    kit.open(async ({ me, csrf }) =>
      me
        ? {
            title: 'Sign out',
            body: (
              <section class="narrow">
                <h1>Sign out of Tandem?</h1>
                <Form action="/sign-out" csrf={csrf} label="Sign out">
                  <button type="submit">Sign out</button>
                </Form>
              </section>
            ),
          }
        : { redirect: '/sign-in' },
    ),
  );

  router.post('/sign-out', form, kit.csrfProtection, async (req, res, next) => {
    try {
      relayCookies(await deps.auth.auth.api.signOut({ headers: fromNodeHeaders(req.headers), asResponse: true }), res);
      kit.render(req, res, null, { redirect: '/sign-in', flash: 'You are signed out.' });
    } catch (e) {
      next(e);
    }
  });
}

/** The confirmation a link opens: what it does, and one button. */
function continuePage(csrf: string, token: string, person: string, next: string, what: ComponentChildren): Outcome {
  return {
    title: 'Continue to Tandem',
    body: (
      <section class="narrow">
        <h1>Continue to Tandem</h1>
        {what}
        <Form action="/link" csrf={csrf} label="Continue">
          <input type="hidden" name={SIGN_IN_PARAMS.token} value={token} />
          <input type="hidden" name={SIGN_IN_PARAMS.person} value={person} />
          <input type="hidden" name="next" value={next} />
          <button type="submit">Continue</button>
        </Form>
      </section>
    ),
  };
}

const minutes = (ms: number) =>
  ms % 3_600_000 === 0 ? `${ms / 3_600_000} hour${ms === 3_600_000 ? '' : 's'}` : `${Math.round(ms / 60_000)} minutes`;

/** What a task link's page is, in words: "a commitment", "your reflection on a review". */
function describeTarget(target: string): string {
  if (/\/reviews\/[^/]+\/reflection$/.test(target)) return 'a reflection on a review';
  if (/\/reviews\/[^/]+$/.test(target)) return 'a review';
  if (/\/commitments\/[^/]+$/.test(target)) return 'a commitment';
  if (/\/evidence\/[^/]+$/.test(target)) return 'an evidence request';
  if (/\/inquiry\/[^/]+$/.test(target)) return 'an inquiry cycle';
  if (/^\/p\/[^/]+$/.test(target)) return "a partnership's page";
  if (target === pages.webhooks()) return 'the webhooks they keep';
  return 'a page';
}

/** The page of a link that was used already or has expired: a fresh one goes to its recipient. */
function expired(csrf: string, person: string, next: string, kind: 'task' | 'sign-in'): Outcome {
  return {
    title: 'Link expired',
    status: 410,
    body: (
      <section class="narrow">
        <h1>This link has expired or was used already</h1>
        <p>Links in Tandem's messages work once, for a limited time.</p>
        {person ? (
          <Form action="/link/fresh" csrf={csrf} label="Send a fresh link">
            <input type="hidden" name={SIGN_IN_PARAMS.person} value={person} />
            <input type="hidden" name="next" value={next} />
            <input type="hidden" name="kind" value={kind} />
            <button type="submit">Email me a fresh link</button>
          </Form>
        ) : (
          <p>
            <a href={`/sign-in?${new URLSearchParams({ next })}`}>Sign in</a> to continue.
          </p>
        )}
      </section>
    ),
  };
}

/** Better Auth answers with a Fetch Response: its cookies go out on Express's. */
function relayCookies(answer: globalThis.Response, res: Response) {
  for (const c of answer.headers.getSetCookie()) res.append('Set-Cookie', c);
}

function providerError(code: string): string {
  if (/session|account_not_linked|unable_to_link/i.test(code)) {
    return "That account's address is not one your organization's sign-in may vouch for. Sign in with an emailed link instead.";
  }
  if (/sign_?up|user_not_found|signup_disabled/i.test(code)) {
    return 'Your district account is not known to Tandem. Ask your partnership lead to add you, or sign in with an emailed link.';
  }
  return 'Signing in with your district account did not work. Try again, or sign in with an emailed link.';
}

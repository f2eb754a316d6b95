import { randomUUID } from 'node:crypto';
import { betterAuth } from 'better-auth';
import { prismaAdapter } from 'better-auth/adapters/prisma';
import { genericOAuth, magicLink } from 'better-auth/plugins';
import type { Db } from '../db/client.js';
import { authRateLimitStorage } from '../db/rate-limit-store.js';
import { observe } from '../metrics.js';

/** The provider id of the identity provider set by OIDC_* (OpenID Connect), in URLs and account rows. */
export const OIDC_PROVIDER_ID = 'district';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** How the sign-in page names it, e.g. "Lakeside USD account". */
  name: string;
  /** The address domains it vouches for (OIDC_DOMAINS): it signs in nobody else. */
  domains: string[];
}

/** An identity provider as sign-in uses it: the one of OIDC_*, or an organization's, approved. */
export interface OidcProvider extends OidcSettings {
  /** In its callback address, /auth/callback/<providerId>, and in its accounts. */
  providerId: string;
}

/** Whether a provider may sign in this address: one of its own domains. */
export const vouchesFor = (provider: Pick<OidcProvider, 'domains'>, email: string) =>
  provider.domains.includes(email.toLowerCase().split('@').at(-1) ?? '');

export interface AuthOptions {
  db: Db;
  /** PUBLIC_URL: the origin people reach Tandem at; cookies are Secure when it is https. */
  publicUrl: string;
  secret: string;
  /** How long an emailed sign-in link stays usable (it is also used up by its first use). */
  signInLinkTtlSeconds: number;
  /** How long a signed-in browser stays signed in without coming back. */
  sessionTtlSeconds: number;
  /** The installation's identity provider (OIDC_*), if any; the organizations' come with setOrganizationProviders. */
  providers: OidcProvider[];
  /**
   * Delivers a sign-in link that someone asked for at the sign-in page. Called whether or not the
   * address belongs to anyone, so that the answer does not tell; it sends only to people Tandem knows.
   */
  deliverSignInLink(email: string, token: string, next: string): Promise<void>;
}

/** Where Better Auth's own endpoints live (the identity provider's callback, sign-out, the session). */
export const AUTH_BASE_PATH = '/auth';
/**
 * The header through which the HTTP server hands Better Auth the client's address as Express decided
 * it (trusting only the proxies it is told to): Better Auth's own default, X-Forwarded-For, is
 * whatever a client sends when no proxy replaces it, and would let one dodge its rate limit.
 */
export const CLIENT_ADDRESS_HEADER = 'x-tandem-client-address';

/**
 * Sign-in for people, by Better Auth: passwordless emailed links (its magic-link plugin, tokens stored
 * hashed, used once) and, when configured, the district's OpenID Connect provider (its generic-oauth
 * plugin). A person is Better Auth's user; nobody signs up: the people are those Tandem knows.
 * Sessions live in PostgreSQL behind an httpOnly, SameSite=Lax cookie, Secure on https.
 */
export function createAuth(opts: AuthOptions) {
  // Links minted for an email (not asked for at the sign-in page) are captured here instead of sent.
  const minted = new Map<string, string>();
  const sendMagicLink = async ({ email, token, metadata }: { email: string; token: string; metadata?: Record<string, unknown> }) => {
    const next = typeof metadata?.next === 'string' ? metadata.next : '/';
    if (typeof metadata?.mint === 'string') minted.set(metadata.mint, token);
    else await opts.deliverSignInLink(email, token, next);
  };
  let providers = opts.providers;
  let auth = build(opts, providers, sendMagicLink);
  let version = '';

  /**
   * A sign-in token for `email`, as Better Auth makes and keeps them, for a link in a message to that
   * person: the link signs them in once, within the link lifetime.
   */
  async function mintSignInToken(email: string): Promise<string> {
    const ticket = randomUUID();
    await auth.api.signInMagicLink({ body: { email, metadata: { mint: ticket } }, headers: new Headers() });
    const token = minted.get(ticket);
    minted.delete(ticket);
    if (!token) throw new Error('the sign-in link was not minted');
    return token;
  }

  return {
    get auth() {
      return auth;
    },
    mintSignInToken,
    /** The identity providers now in use. */
    providers: () => providers,
    /** Which organizations' providers are in use (see setOrganizationProviders). */
    organizationProvidersVersion: () => version,
    /**
     * Replaces the organizations' identity providers (one approved, or removed) when their version
     * differs from the one in use: sign-in uses them from the next request on.
     */
    setOrganizationProviders(next: OidcProvider[], nextVersion: string) {
      if (nextVersion === version) return;
      version = nextVersion;
      providers = [...opts.providers, ...next];
      auth = build(opts, providers, sendMagicLink);
    },
  };
}

/** A Better Auth instance for the providers of the moment (a new one when they change). */
function build(
  opts: AuthOptions,
  current: OidcProvider[],
  sendMagicLink: (data: { email: string; token: string; metadata?: Record<string, unknown> }) => Promise<void>,
) {
  const secure = opts.publicUrl.startsWith('https:');
  /** A session or account made by a provider's callback: only for an address of that provider's domains. */
  const allowed = async (
    ctx: { path?: string; params?: Record<string, string | undefined> } | null,
    personId: string,
    providerId?: string,
  ) => {
    const id = providerId ?? (ctx?.path?.startsWith('/callback/') ? (ctx.params?.id ?? ctx.params?.providerId) : undefined);
    if (!id) return true;
    const provider = current.find((p) => p.providerId === id);
    const person = await opts.db.person.findUnique({ where: { id: personId }, select: { email: true } });
    return Boolean(provider && person && vouchesFor(provider, person.email));
  };
  return betterAuth({
    appName: 'Tandem',
    baseURL: opts.publicUrl,
    basePath: AUTH_BASE_PATH,
    secret: opts.secret,
    database: prismaAdapter(opts.db, { provider: 'postgresql' }),
    user: { modelName: 'person' },
    session: {
      modelName: 'authSession',
      fields: { userId: 'personId' },
      expiresIn: opts.sessionTtlSeconds,
      updateAge: Math.min(86_400, Math.floor(opts.sessionTtlSeconds / 2)),
    },
    account: {
      modelName: 'authAccount',
      fields: { userId: 'personId' },
      // A person already in Tandem signs in with the district's provider under the same address. Their
      // address was entered by whoever added them, not verified by a link yet: the district's provider,
      // which the operator configured, vouches for it (requireLocalEmailVerified would refuse them).
      accountLinking: { enabled: true, trustedProviders: current.map((p) => p.providerId), requireLocalEmailVerified: false },
    },
    verification: { modelName: 'authVerification' },
    emailAndPassword: { enabled: false },
    // Emailed links are asked for through Tandem's own sign-in page (rate limited per address and per
    // IP) and used through its confirmation page; Better Auth's endpoints for them are not exposed.
    disabledPaths: ['/sign-in/magic-link', '/magic-link/verify'],
    advanced: {
      useSecureCookies: secure,
      cookiePrefix: 'tandem',
      defaultCookieAttributes: { sameSite: 'lax', httpOnly: true, secure },
      database: { generateId: () => randomUUID() },
      ipAddress: { ipAddressHeaders: [CLIENT_ADDRESS_HEADER] },
    },
    // Counted in PostgreSQL, as Tandem's own limits are: every replica sees the same counts.
    rateLimit: { enabled: true, window: 60, max: 30, customStorage: authRateLimitStorage(opts.db) },
    telemetry: { enabled: false },
    logger: { disabled: process.env.NODE_ENV === 'test' },
    // A provider vouches for the addresses of its own domains only: a district's provider cannot sign
    // in a partner's consultant or another district's superintendent, whatever it claims.
    databaseHooks: {
      session: {
        create: {
          before: async (session, ctx) => allowed(ctx, session.userId),
          after: async (_session, ctx) => observe.signIn(ctx?.path?.startsWith('/callback/') ? 'provider' : 'link'),
        },
      },
      account: {
        create: {
          before: async (account, ctx) =>
            current.some((p) => p.providerId === account.providerId) ? allowed(ctx, account.userId, account.providerId) : true,
        },
      },
    },
    plugins: [
      magicLink({
        expiresIn: opts.signInLinkTtlSeconds,
        disableSignUp: true,
        storeToken: 'hashed',
        sendMagicLink,
      }),
      ...(current.length
        ? [
            genericOAuth({
              config: current.map((p) => ({
                providerId: p.providerId,
                name: p.name,
                discoveryUrl: `${p.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`,
                requireIdTokenVerification: true,
                clientId: p.clientId,
                clientSecret: p.clientSecret,
                scopes: ['openid', 'email', 'profile'],
                pkce: true,
                // Only people Tandem knows sign in; the provider does not create them.
                disableImplicitSignUp: true,
                disableSignUp: true,
              })),
            }),
          ]
        : []),
    ],
  });
}

/** The query parameters of a link that signs its reader in: the token, and whom it was made for. */
export const SIGN_IN_PARAMS = { token: 't', person: 'u' } as const;

/**
 * A page's address with a sign-in token bound to one person. The person's id travels along so that,
 * once the token has expired or been used, the page can send that person a fresh link (to their own
 * address) without asking who they are.
 */
export function signInUrl(publicUrl: string, target: string, token: string, personId: string): string {
  const url = new URL(target, publicUrl);
  url.searchParams.set(SIGN_IN_PARAMS.token, token);
  url.searchParams.set(SIGN_IN_PARAMS.person, personId);
  return url.toString();
}

export type TandemAuth = ReturnType<typeof createAuth>;

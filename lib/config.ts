import path from 'node:path';
import { z } from 'zod';
import { isoDuration, parseOffset } from './durations.js';

/**
 * The one place that reads the environment. Every variable is documented in README.md;
 * an invalid value stops startup with one line naming the variable.
 */

const postgresUrl = z.string().refine((v) => /^postgres(ql)?:\/\/[^/]+/.test(v) && URL.canParse(v), {
  message: 'must be a postgres:// or postgresql:// URL, e.g. postgresql://user:pass@localhost:5432/tandem',
});

const hostPort = z.string().regex(/^[\w.-]+:\d{1,5}$/, { message: 'must be host:port, e.g. localhost:7233' });

const smtpUrl = z.string().refine((v) => /^smtps?:\/\/[^/]+/.test(v) && URL.canParse(v), {
  message: 'must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@mail.example.org:587',
});

const port = z.coerce.number().int().min(0).max(65535);

const emptyAsUndefined = (v: unknown) => (v === '' ? undefined : v);

const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** SMTP connections a mailer keeps open by default (SMTP_MAX_CONNECTIONS). */
export const MAILER_CONNECTIONS = 4;

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PORT: port.default(3000),
  PUBLIC_URL: z.preprocess(emptyAsUndefined, z.url().optional()),
  DATA_DIR: z.string().default('.data'),
  DATABASE_URL: z.preprocess(emptyAsUndefined, postgresUrl.optional()),
  EMBEDDED_POSTGRES_PORT: port.default(5433),
  TEMPORAL_ADDRESS: z.preprocess(emptyAsUndefined, hostPort.optional()),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('tandem'),
  TEMPORAL_SERVER: z.enum(['dev', 'postgres']).default('dev'),
  TEMPORAL_DEV_SERVER_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_CLI_PATH: z.preprocess(emptyAsUndefined, z.string().optional()),
  TEMPORAL_TEST_SERVER_PATH: z.preprocess(emptyAsUndefined, z.string().optional()),
  TEMPORAL_API_KEY: z.preprocess(emptyAsUndefined, z.string().optional()),
  TEMPORAL_TLS: z.preprocess(emptyAsUndefined, flag.optional()),
  TEMPORAL_TLS_CERT_PATH: z.preprocess(emptyAsUndefined, z.string().optional()),
  TEMPORAL_TLS_KEY_PATH: z.preprocess(emptyAsUndefined, z.string().optional()),
  TEMPORAL_TLS_CA_PATH: z.preprocess(emptyAsUndefined, z.string().optional()),
  TEMPORAL_TLS_SERVER_NAME: z.preprocess(emptyAsUndefined, z.string().optional()),
  SMTP_URL: z.preprocess(emptyAsUndefined, smtpUrl.optional()),
  SMTP_CAPTURE_PORT: port.default(2525),
  MAIL_FROM: z.string().min(3).default('Tandem <tandem@localhost>'),
  SMTP_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(100).default(MAILER_CONNECTIONS),
  MAIL_GIVE_UP_AFTER: isoDuration.default('P1D'),
  MAIL_REPLY_DOMAIN: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .toLowerCase()
      .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'must be a mail domain such as reply.tandem.example.org')
      .optional(),
  ),
  INBOUND_SMTP_PORT: z.preprocess(emptyAsUndefined, port.optional()),
  INBOUND_SMTP_TLS_CERT_PATH: z.preprocess(emptyAsUndefined, z.string().optional()),
  INBOUND_SMTP_TLS_KEY_PATH: z.preprocess(emptyAsUndefined, z.string().optional()),
  INBOUND_MAIL_SECRET: z.preprocess(emptyAsUndefined, z.string().min(32, { message: 'must be at least 32 characters' }).optional()),
  WEBHOOK_TIMEOUT: isoDuration.default('PT15S'),
  WEBHOOK_ALLOW_PRIVATE_ADDRESSES: z.preprocess(emptyAsUndefined, flag.default(false)),
  WEBHOOK_CA_PATH: z.preprocess(emptyAsUndefined, z.string().optional()),
  WORKER_HEALTH_PORT: port.default(3001),
  TEMPORAL_METRICS_PORT: z.preprocess(emptyAsUndefined, port.optional()),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/ }).optional()),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100_000).default(1000),
  AUTH_SECRET: z.preprocess(emptyAsUndefined, z.string().min(32, { message: 'must be at least 32 characters' }).optional()),
  AUTH_SECRET_PREVIOUS: z.preprocess(emptyAsUndefined, z.string().min(32, { message: 'must be at least 32 characters' }).optional()),
  SIGN_IN_LINK_TTL: isoDuration.default('PT24H'),
  SESSION_TTL: isoDuration.default('P7D'),
  TASK_LINK_GRANT: isoDuration.default('PT1H'),
  ADMIN_EMAIL: z.preprocess(emptyAsUndefined, z.email().optional()),
  OIDC_ISSUER: z.preprocess(emptyAsUndefined, z.url().optional()),
  OIDC_CLIENT_ID: z.preprocess(emptyAsUndefined, z.string().optional()),
  OIDC_CLIENT_SECRET: z.preprocess(emptyAsUndefined, z.string().optional()),
  OIDC_NAME: z.string().min(1).default('your district account'),
  OIDC_DOMAINS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .transform((v) =>
        v
          .split(/[\s,]+/)
          .filter(Boolean)
          .map((d) => d.toLowerCase()),
      )
      .pipe(
        z
          .array(z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, 'must be address domains such as lakeside.k12.example, separated by commas'))
          .min(1),
      )
      .optional(),
  ),
  SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
});

/** Every variable Tandem reads, for the checks that the deployment files set what the app needs. */
export const CONFIG_VARIABLES = Object.keys(schema.shape) as ReadonlyArray<keyof typeof schema.shape>;

export type Config = Readonly<
  z.infer<typeof schema> & {
    /** Absolute path of DATA_DIR. */
    dataDir: string;
    /** Where the tools that provisioning installs are cached. */
    toolsDir: string;
    publicUrl: string;
    /** MAIL_GIVE_UP_AFTER in milliseconds. */
    mailGiveUpAfterMs: number;
    signInLinkTtlSeconds: number;
    sessionTtlSeconds: number;
    /** TASK_LINK_GRANT in milliseconds: how long an opened link in an email acts on its one page. */
    taskLinkGrantMs: number;
    /** WEBHOOK_TIMEOUT in milliseconds: how long one webhook delivery waits for its answer. */
    webhookTimeoutMs: number;
    /** The district's identity provider, when all three OIDC_ variables are set. */
    oidc: { issuer: string; clientId: string; clientSecret: string; name: string; domains: string[] } | undefined;
  }
>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    const raw = env[name];
    const got = raw === undefined ? '' : ` (got ${JSON.stringify(raw.length > 60 ? `${raw.slice(0, 57)}...` : raw)})`;
    throw new ConfigError(`Invalid configuration: ${name} ${issue?.message ?? 'is invalid'}${got}`);
  }
  const c = parsed.data;
  const oidcVars = [c.OIDC_ISSUER, c.OIDC_CLIENT_ID, c.OIDC_CLIENT_SECRET];
  if (oidcVars.some(Boolean) && !oidcVars.every(Boolean)) {
    throw new ConfigError('Invalid configuration: OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET go together (set all three, or none)');
  }
  if ((c.INBOUND_SMTP_PORT !== undefined || c.INBOUND_MAIL_SECRET) && !c.MAIL_REPLY_DOMAIN) {
    throw new ConfigError(
      'Invalid configuration: INBOUND_SMTP_PORT and INBOUND_MAIL_SECRET receive replies, which need MAIL_REPLY_DOMAIN (the domain of the reply addresses)',
    );
  }
  if (Boolean(c.INBOUND_SMTP_TLS_CERT_PATH) !== Boolean(c.INBOUND_SMTP_TLS_KEY_PATH)) {
    throw new ConfigError(
      'Invalid configuration: INBOUND_SMTP_TLS_CERT_PATH and INBOUND_SMTP_TLS_KEY_PATH go together (set both, or neither)',
    );
  }
  if (c.INBOUND_SMTP_TLS_CERT_PATH && c.INBOUND_SMTP_PORT === undefined) {
    throw new ConfigError('Invalid configuration: INBOUND_SMTP_TLS_CERT_PATH is for the reply listener, which needs INBOUND_SMTP_PORT');
  }
  const webhookTimeoutMs = parseOffset(c.WEBHOOK_TIMEOUT).toMillis();
  if (webhookTimeoutMs < 1000 || webhookTimeoutMs > 60_000) {
    throw new ConfigError(
      `Invalid configuration: WEBHOOK_TIMEOUT must be between PT1S and PT60S (got ${JSON.stringify(c.WEBHOOK_TIMEOUT)})`,
    );
  }
  if (c.OIDC_ISSUER && !c.OIDC_DOMAINS) {
    throw new ConfigError(
      'Invalid configuration: OIDC_DOMAINS is required with OIDC_ISSUER: the address domains the provider vouches for (it signs in nobody else)',
    );
  }
  return Object.freeze({
    ...c,
    dataDir: path.resolve(cwd, c.DATA_DIR),
    toolsDir: path.resolve(cwd, '.tools'),
    publicUrl: c.PUBLIC_URL ?? `http://localhost:${c.PORT}`,
    mailGiveUpAfterMs: parseOffset(c.MAIL_GIVE_UP_AFTER).toMillis(),
    signInLinkTtlSeconds: Math.round(parseOffset(c.SIGN_IN_LINK_TTL).toMillis() / 1000),
    sessionTtlSeconds: Math.round(parseOffset(c.SESSION_TTL).toMillis() / 1000),
    taskLinkGrantMs: parseOffset(c.TASK_LINK_GRANT).toMillis(),
    webhookTimeoutMs,
    oidc:
      c.OIDC_ISSUER && c.OIDC_CLIENT_ID && c.OIDC_CLIENT_SECRET
        ? {
            issuer: c.OIDC_ISSUER,
            clientId: c.OIDC_CLIENT_ID,
            clientSecret: c.OIDC_CLIENT_SECRET,
            name: c.OIDC_NAME,
            domains: c.OIDC_DOMAINS ?? [],
          }
        : undefined,
  });
}

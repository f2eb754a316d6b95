import { readFileSync } from 'node:fs';
import { Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor, type TLSConfig } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { type Config, ConfigError } from '../config.js';
import { errorChain } from '../errors.js';

export interface TemporalConnectionOptions {
  address: string;
  tls: TLSConfig | false;
  apiKey?: string;
}

type TemporalSettings = Pick<
  Config,
  | 'TEMPORAL_API_KEY'
  | 'TEMPORAL_TLS'
  | 'TEMPORAL_TLS_CERT_PATH'
  | 'TEMPORAL_TLS_KEY_PATH'
  | 'TEMPORAL_TLS_CA_PATH'
  | 'TEMPORAL_TLS_SERVER_NAME'
>;

/**
 * The one description of how to reach Temporal, shared by the client (API) and the worker so that
 * both target the same cluster the same way: plain on a dev server, TLS with an API key or mTLS
 * certificates on Temporal Cloud or a secured cluster. TLS defaults on whenever a credential is set,
 * because neither an API key nor a client certificate may travel in clear text.
 */
export function temporalConnectionOptions(address: string, c: TemporalSettings): TemporalConnectionOptions {
  if (Boolean(c.TEMPORAL_TLS_CERT_PATH) !== Boolean(c.TEMPORAL_TLS_KEY_PATH)) {
    throw new ConfigError('Invalid configuration: TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH go together (mTLS needs both)');
  }
  const credential = Boolean(c.TEMPORAL_API_KEY || c.TEMPORAL_TLS_CERT_PATH);
  const useTls = c.TEMPORAL_TLS ?? (credential || Boolean(c.TEMPORAL_TLS_CA_PATH));
  if (!useTls && credential) {
    throw new ConfigError('Invalid configuration: TEMPORAL_TLS=false with an API key or client certificate would send it unencrypted');
  }
  const options: TemporalConnectionOptions = { address, tls: false };
  if (c.TEMPORAL_API_KEY) options.apiKey = c.TEMPORAL_API_KEY;
  if (!useTls) return options;
  const tls: TLSConfig = {};
  if (c.TEMPORAL_TLS_SERVER_NAME) tls.serverNameOverride = c.TEMPORAL_TLS_SERVER_NAME;
  if (c.TEMPORAL_TLS_CA_PATH) tls.serverRootCACertificate = readPem('TEMPORAL_TLS_CA_PATH', c.TEMPORAL_TLS_CA_PATH);
  if (c.TEMPORAL_TLS_CERT_PATH && c.TEMPORAL_TLS_KEY_PATH) {
    tls.clientCertPair = {
      crt: readPem('TEMPORAL_TLS_CERT_PATH', c.TEMPORAL_TLS_CERT_PATH),
      key: readPem('TEMPORAL_TLS_KEY_PATH', c.TEMPORAL_TLS_KEY_PATH),
    };
  }
  options.tls = tls;
  return options;
}

function readPem(name: string, file: string): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (e) {
    throw new ConfigError(
      `Invalid configuration: ${name} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}: ${file})`,
    );
  }
  if (!pem.includes('-----BEGIN ')) throw new ConfigError(`Invalid configuration: ${name} is not a PEM file (${file})`);
  return pem;
}

/**
 * The API's connection. An unreachable server is retried for about two seconds (five attempts) rather
 * than the SDK's default of about twenty, so that a request answers 503 while someone is still waiting.
 */
export function connectClient(options: TemporalConnectionOptions): Promise<Connection> {
  return Connection.connect({ ...options, interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 5 }))] });
}

// gRPC UNAVAILABLE and DEADLINE_EXCEEDED: the server (or the way to it) is down, not the request wrong.
const UNREACHABLE_GRPC = new Set([14, 4]);

/** Whether an error means the Temporal server could not be reached (a 503). */
export function isTemporalUnavailable(e: unknown): boolean {
  return errorChain(e).some((x) => {
    const { code } = (x ?? {}) as { code?: unknown };
    return typeof code === 'number' && UNREACHABLE_GRPC.has(code);
  });
}

/**
 * The worker's connection. A server that has just opened its port may still answer "Frontend is not
 * healthy yet" while it warms up (for seconds on a busy machine): only that answer is retried, for up
 * to `warmUpMs`; an unreachable or refusing server fails at once, as before.
 */
export async function connectWorker(options: TemporalConnectionOptions, warmUpMs = 30_000): Promise<NativeConnection> {
  const deadline = Date.now() + warmUpMs;
  for (;;) {
    try {
      return await NativeConnection.connect(options);
    } catch (e) {
      if (!/not healthy yet/i.test((e as Error).message) || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

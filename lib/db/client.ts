import { setTimeout as sleep } from 'node:timers/promises';
import { PrismaPg } from '@prisma/adapter-pg';
import { Prisma, PrismaClient } from '../../generated/prisma/client.js';
import { errorChain } from '../errors.js';

export type Db = PrismaClient;

export function createDb(databaseUrl: string): Db {
  // A request waits at most 5 s for a connection: an unreachable database is a 503, not a hang.
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 }) });
}

// Socket errors, PostgreSQL's "connection exception" and "operator intervention" SQLSTATEs (shutting
// down, starting up), and Prisma's own codes for an unreachable or timed-out server.
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '57P01',
  '57P02',
  '57P03',
  'P1001',
  'P1002',
  'P1008',
  'P1017',
  'P2024',
]);
// The driver adapter's own names for the same.
const UNREACHABLE_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
// `connect ENOENT …/.s.PGSQL.<port>`: the embedded PostgreSQL's Unix socket is gone while it is
// stopped (Prisma keeps only the code, ENOENT, which a missing file has too, and the message).
const UNREACHABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Can't reach database server|Client has encountered a connection error|connect ENOENT \S*\.s\.PGSQL\.\d+/i;

/** Whether an error means the database could not be reached (a 503), rather than refused the query. */
export function isDatabaseUnavailable(e: unknown): boolean {
  return errorChain(e).some((x) => {
    const { code, message, originalCode, kind } = (x ?? {}) as {
      code?: unknown;
      message?: unknown;
      originalCode?: unknown;
      kind?: unknown;
    };
    return (
      (typeof kind === 'string' && UNREACHABLE_KINDS.has(kind)) ||
      (typeof code === 'string' && UNREACHABLE.has(code)) ||
      (typeof originalCode === 'string' && UNREACHABLE.has(originalCode)) ||
      (typeof message === 'string' && UNREACHABLE_MESSAGES.test(message))
    );
  });
}

/** A write refused by a unique constraint (Prisma's P2002). */
export const isUniqueViolation = (e: unknown) => e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002';

/**
 * Runs a write again while the database cannot be reached (a restart, a failover), with backoff from
 * 250 ms to 4 s, for at most `patienceMs`; any other error, or one after that, is thrown at once. For
 * the few writes that record what only this process knows (an SMTP server's answer): lost, the retry
 * of their activity could only guess.
 */
export async function whenReachable<T>(write: () => Promise<T>, patienceMs: number): Promise<T> {
  const start = Date.now();
  for (let wait = 250; ; wait = Math.min(wait * 2, 4_000)) {
    try {
      return await write();
    } catch (e) {
      if (!isDatabaseUnavailable(e) || Date.now() - start + wait > patienceMs) throw e;
      await sleep(wait);
    }
  }
}

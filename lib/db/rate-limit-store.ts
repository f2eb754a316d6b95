import { createHash } from 'node:crypto';
import type { BetterAuthRateLimitStorage } from 'better-auth';
import type { IncrementResponse, Options, Store } from 'express-rate-limit';
import type { Db } from './client.js';

/**
 * express-rate-limit's counts in PostgreSQL (table rate_limit_hit), so that a limit holds across
 * every API replica: with the memory store, N replicas let N times the limit through. One statement
 * per hit counts it, starting a new window when the last one is over. Written here rather than taken
 * from @acpr/rate-limit-postgresql, which pins an older `pg` and runs migrations of its own beside
 * Prisma's, out of sight of the schema check (test/system/migrate.test.ts).
 */
export class PostgresRateLimitStore implements Store {
  localKeys = false;
  private windowMs = 60_000;

  constructor(
    private readonly db: Db,
    /** Keeps the keys of one limiter apart from another's (per IP, per address). */
    readonly prefix: string,
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  private key(key: string) {
    return hitKey(this.prefix, key);
  }

  async increment(key: string): Promise<IncrementResponse> {
    const { hits, resetAt } = await countHit(this.db, this.key(key), this.windowMs);
    return { totalHits: hits, resetTime: resetAt };
  }

  async decrement(key: string): Promise<void> {
    await this.db.rateLimitHit.updateMany({ where: { key: this.key(key), hits: { gt: 0 } }, data: { hits: { decrement: 1 } } });
  }

  async resetKey(key: string): Promise<void> {
    await this.db.rateLimitHit.deleteMany({ where: { key: this.key(key) } });
  }
}

/** Hashed: a key is whatever a form sent (an address with a NUL, which PostgreSQL text cannot hold; 16 kB). */
function hitKey(prefix: string, key: string) {
  return `${prefix}:${createHash('sha256').update(key).digest('base64url')}`;
}

/** Counts one hit on `key` in its window of `windowMs`, a new window starting when the last one is over. */
async function countHit(db: Db, key: string, windowMs: number): Promise<{ hits: number; resetAt: Date }> {
  const [row] = await db.$queryRaw<{ hits: number; reset_at: Date }[]>`
    INSERT INTO rate_limit_hit (key, hits, reset_at)
    VALUES (${key}, 1, now() + make_interval(secs => ${windowMs / 1000}))
    ON CONFLICT (key) DO UPDATE SET
      hits = CASE WHEN rate_limit_hit.reset_at <= now() THEN 1 ELSE rate_limit_hit.hits + 1 END,
      reset_at = CASE WHEN rate_limit_hit.reset_at <= now() THEN EXCLUDED.reset_at ELSE rate_limit_hit.reset_at END
    RETURNING hits, reset_at`;
  // Windows long over are cleared now and then, by whichever hit comes.
  if (Math.random() < 0.01) await db.rateLimitHit.deleteMany({ where: { resetAt: { lt: new Date(Date.now() - windowMs) } } });
  return { hits: row?.hits ?? 1, resetAt: row?.reset_at ?? new Date(Date.now() + windowMs) };
}

/**
 * Better Auth's own limit (on the identity provider's callback, the one endpoint of its that is
 * reachable) counted in the same table, so that it too holds across replicas. Better Auth's
 * `storage: 'database'` would read, then write, in a table of its own.
 */
export function authRateLimitStorage(db: Db): BetterAuthRateLimitStorage {
  return {
    async consume(key, rule) {
      const { hits, resetAt } = await countHit(db, hitKey('auth', key), rule.window * 1000);
      if (hits <= rule.max) return { allowed: true, retryAfter: null };
      return { allowed: false, retryAfter: Math.max(1, Math.ceil((resetAt.getTime() - Date.now()) / 1000)) };
    },
  };
}

import { createHash } from 'node:crypto';
import type { Request } from 'express';
import type { KeyPrincipal } from '../../core/people/principal.js';
import type { Prisma } from '../../generated/prisma/client.js';
import { type Db, isUniqueViolation } from '../../lib/db/client.js';
import { ConflictError, UnprocessableError, ValidationError } from '../../lib/errors.js';
import type { Reply } from './reply.js';

/** How long a key is remembered; a repeat after that is a new request. */
const IDEMPOTENCY_WINDOW_MS = 24 * 3600_000;
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

/**
 * Idempotency-Key for POSTs: the first request with a key runs and its response is kept; a repeat
 * (same key, same caller, same request) gets that response again without running anything. A key
 * reused for a different request is a 422; a repeat while the first is still running is a 409.
 * A request that fails leaves no record, because a failed request wrote nothing and may be retried.
 */
export async function withIdempotency(
  db: Db,
  caller: KeyPrincipal,
  req: Request,
  run: () => Promise<Reply>,
): Promise<Reply & { replayed?: boolean }> {
  const key = req.get('idempotency-key');
  if (key === undefined) return run();
  if (!KEY_FORMAT.test(key)) {
    throw new ValidationError('The Idempotency-Key header must be 1 to 255 visible ASCII characters', [
      { path: 'header.Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' },
    ]);
  }
  const requestHash = createHash('sha256')
    .update(`${req.method} ${req.originalUrl}\n${JSON.stringify(req.body ?? null)}`)
    .digest('hex');
  const id = { apiKeyId_key: { apiKeyId: caller.id, key } };

  // Expired records, this key's included, are swept as new ones arrive (an index range on created_at).
  await db.idempotencyRecord.deleteMany({ where: { createdAt: { lt: new Date(Date.now() - IDEMPOTENCY_WINDOW_MS) } } });
  try {
    await db.idempotencyRecord.create({
      data: { apiKeyId: caller.id, key, method: req.method, path: req.originalUrl, requestHash },
    });
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    const first = await db.idempotencyRecord.findUnique({ where: id });
    if (!first) throw new ConflictError('A request with this Idempotency-Key just failed; retry it');
    if (first.requestHash !== requestHash) {
      throw new UnprocessableError('This Idempotency-Key was already used for a different request');
    }
    if (first.statusCode === null) throw new ConflictError('A request with this Idempotency-Key is still being processed; retry later');
    return {
      status: first.statusCode,
      body: first.responseBody,
      ...(first.location ? { location: first.location } : {}),
      replayed: true,
    };
  }
  let reply: Reply;
  try {
    reply = await run();
  } catch (e) {
    await db.idempotencyRecord.delete({ where: id }).catch(() => {});
    throw e;
  }
  await db.idempotencyRecord.update({
    where: id,
    data: { statusCode: reply.status ?? 200, responseBody: reply.body as Prisma.InputJsonValue, location: reply.location ?? null },
  });
  return reply;
}

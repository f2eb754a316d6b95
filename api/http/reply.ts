import type { Response } from 'express';

/** What a route handler answers. */
export interface Reply {
  status?: number;
  body: unknown;
  location?: string;
  /** For non-JSON bodies (e.g. text/calendar); the body is then sent as a string. */
  contentType?: string;
}

/** Writes a handler's reply; a replayed Idempotency-Key response says so. */
export function send(res: Response, reply: Reply & { replayed?: boolean }) {
  res.status(reply.status ?? 200);
  if (reply.location) res.location(reply.location);
  if (reply.replayed) res.set('Idempotent-Replayed', 'true');
  if (reply.contentType) res.type(reply.contentType).send(reply.body);
  else res.json(reply.body);
}

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';

/** What a route handler answers. */
export interface Reply {
  status?: number;
  body: unknown;
  location?: string;
  /** For non-JSON bodies (e.g. text/calendar); the body is then sent as a string, or piped when a stream. */
  contentType?: string;
  /** Sent as an attachment under this name. */
  filename?: string;
}

/** Writes a handler's reply; a replayed Idempotency-Key response says so. */
export function send(res: Response, reply: Reply & { replayed?: boolean }) {
  res.status(reply.status ?? 200);
  if (reply.location) res.location(reply.location);
  if (reply.replayed) res.set('Idempotent-Replayed', 'true');
  if (reply.filename) res.attachment(reply.filename);
  if (reply.body instanceof Readable) {
    res.type(reply.contentType ?? 'application/octet-stream');
    // A failure halfway cannot change the status any more: the connection is cut, so the reader sees an incomplete file.
    pipeline(reply.body, res).catch(() => res.destroy());
  } else if (reply.contentType) res.type(reply.contentType).send(reply.body);
  else res.json(reply.body);
}

import { timingSafeEqual } from 'node:crypto';
import express, { Router } from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { type ReplyDeps, receiveReply } from '../../core/replies/receive.js';
import { UnauthorizedError, ValidationError } from '../../lib/errors.js';
import { INBOUND_MAX_BYTES } from '../../lib/mail/inbound.js';
import { problemSchema } from '../http/route.js';

/**
 * POST /inbound/mail: a reply as an inbound-mail provider posts it (the raw RFC 5322 message as the
 * body), behind INBOUND_MAIL_SECRET. It goes through the same `receiveReply` as Tandem's SMTP
 * listener; the provider's newest Received header stands for the SMTP session (SPF).
 */
export function inboundMailRouter(deps: ReplyDeps & { inboundSecret: string }) {
  const router = Router();
  const expected = Buffer.from(`Bearer ${deps.inboundSecret}`);
  router.post('/inbound/mail', express.raw({ type: () => true, limit: INBOUND_MAX_BYTES }), async (req, res) => {
    const given = Buffer.from(req.get('authorization') ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new UnauthorizedError('Give INBOUND_MAIL_SECRET as a Bearer token');
    }
    const raw = req.body as unknown;
    if (!Buffer.isBuffer(raw) || raw.length === 0) {
      throw new ValidationError('The body must be the raw message (message/rfc822)', [{ path: 'body', message: 'must not be empty' }]);
    }
    const to = ([] as unknown[]).concat(req.query.to ?? []).filter((t): t is string => typeof t === 'string');
    const result = await receiveReply(deps, raw, { rcptTo: to });
    res.json(result);
  });
  return router;
}

/** Its entry in /openapi.json (it takes a raw message, which the JSON route layer does not). */
export const inboundMailOperation: ZodOpenApiPathsObject = {
  '/inbound/mail': {
    post: {
      operationId: 'receiveReply',
      summary: 'Receive a reply by mail',
      description:
        'For an inbound-mail provider: the raw RFC 5322 message of a reply to one of Tandem’s reply addresses (reply+<token>@MAIL_REPLY_DOMAIN), authenticated with `Authorization: Bearer <INBOUND_MAIL_SECRET>`. Present only when INBOUND_MAIL_SECRET is set. The reply acts when its From is the recipient of the message it answers and it passes DMARC; the outcome says what was done. `to` names the envelope recipient when the message’s headers do not.',
      tags: ['Replies'],
      security: [],
      requestParams: { query: z.object({ to: z.email().optional() }) },
      requestBody: { required: true, content: { 'message/rfc822': { schema: z.string().meta({ format: 'binary' }) } } },
      responses: {
        '200': {
          description: 'What Tandem did with it',
          content: {
            'application/json': {
              schema: z
                .object({
                  outcome: z.enum(['acted', 'refused', 'ignored', 'not_understood', 'duplicate', 'bounce']),
                  reason: z.string(),
                })
                .meta({ id: 'ReplyResult' }),
            },
          },
        },
        '400': { description: 'No message', content: { 'application/problem+json': { schema: problemSchema } } },
        '401': { description: 'Not the inbound secret', content: { 'application/problem+json': { schema: problemSchema } } },
        '413': { description: 'Larger than 25 MB', content: { 'application/problem+json': { schema: problemSchema } } },
      },
    },
  },
};

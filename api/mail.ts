import { Router } from 'express';
import { listCapturedMail } from '../lib/mail/capture.js';

/** Development only: what the local mail capture received, newest first. */
export function mailRouter(captureDir: string) {
  const router = Router();
  router.get('/mail', async (_req, res) => {
    const messages = await listCapturedMail(captureDir);
    res.json({ messages: messages.reverse() });
  });
  return router;
}

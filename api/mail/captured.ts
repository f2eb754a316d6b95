import { listCapturedMail } from '../../lib/mail/capture.js';
import { route, tagged } from '../http/route.js';

/** Development only (mounted when mail is captured locally): what would have been delivered, newest first. */
export const mailRoutes = (captureDir: string) =>
  tagged('Development', [
    route('GET /mail', {
      operationId: 'listCapturedMail',
      summary: 'List captured mail',
      description: 'Only when Tandem runs on its embedded mail capture (no SMTP_URL): every message it would have sent.',
      access: 'admin',
      responses: { 200: { description: 'The captured messages, newest first' } },
      async handle() {
        return { body: { messages: (await listCapturedMail(captureDir)).reverse() } };
      },
    }),
  ]);

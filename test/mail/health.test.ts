import { describe, expect, it } from 'vitest';
import { dependencyChecks } from '../../api/http/health.js';
import { useMailServices } from '../support/mail-services.js';

/**
 * Mail is reported as failing when sends fail, not only when the server does not answer: a server
 * that greets and then refuses every message (450) used to look "up" while nothing went out.
 */
describe('the mail check of /health', () => {
  const mail = useMailServices();
  it('fails while copies wait after a refused attempt and nothing has gone out since, and recovers once one goes out', async () => {
    const check = dependencyChecks({ db: mail.database.db, mailer: mail.mailer, temporal: undefined as never, namespace: 'default' }).mail;
    await expect(check()).resolves.toBeUndefined();
    const base = { template: 'review-reminder', subject: 'Reminder', text: 't', html: '<p>t</p>' };
    await mail.database.db.emailOutbox.create({
      data: {
        ...base,
        idempotencyKey: 'k1',
        messageKey: 'm1',
        recipient: 'ana@lakeside.example',
        status: 'pending',
        attempts: 2,
        firstAttemptAt: new Date(Date.now() - 60_000),
        lastError: '450 4.2.0 mailbox temporarily unavailable',
      },
    });
    await expect(check()).rejects.toThrow(/messages are not going out since .*450 4\.2\.0 mailbox temporarily unavailable/);
    await mail.database.db.emailOutbox.create({
      data: {
        ...base,
        idempotencyKey: 'k2',
        messageKey: 'm2',
        recipient: 'ben@center.example',
        status: 'sent',
        attempts: 1,
        sentAt: new Date(),
      },
    });
    await expect(check()).resolves.toBeUndefined();
  });
});

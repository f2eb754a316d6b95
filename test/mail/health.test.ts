import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dependencyChecks } from '../../api/http/health.js';
import { createMailer, type Mailer } from '../../lib/mail/mailer.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startTestSmtp } from '../support/smtp.js';

/**
 * Mail is reported as failing when sends fail, not only when the server does not answer: a server
 * that greets and then refuses every message (450) used to look "up" while nothing went out.
 */
describe('the mail check of /health', () => {
  let database: TestDatabase;
  let smtp: Awaited<ReturnType<typeof startTestSmtp>>;
  let mailer: Mailer;
  beforeAll(async () => {
    database = await createTestDatabase();
    smtp = await startTestSmtp();
    mailer = createMailer(smtp.url(), 'Tandem <tandem@test.example>');
  });
  afterAll(async () => {
    mailer?.close();
    await smtp?.stop();
    await database?.drop();
  });

  it('fails while copies wait after a refused attempt and nothing has gone out since, and recovers once one goes out', async () => {
    const check = dependencyChecks({ db: database.db, mailer, temporal: undefined as never, namespace: 'default' }).mail;
    await expect(check()).resolves.toBeUndefined();
    const base = { template: 'review-reminder', subject: 'Reminder', text: 't', html: '<p>t</p>' };
    await database.db.emailOutbox.create({
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
    await database.db.emailOutbox.create({
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

import { afterAll, beforeAll } from 'vitest';
import { createMailer, type Mailer } from '../../lib/mail/mailer.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { startTestSmtp } from './smtp.js';

/** A test file's own database and in-process SMTP server, with a mailer to it: the mail tests' stack. */
export function useMailServices() {
  const services = {} as { database: TestDatabase; smtp: Awaited<ReturnType<typeof startTestSmtp>>; mailer: Mailer };
  beforeAll(async () => {
    services.database = await createTestDatabase();
    services.smtp = await startTestSmtp();
    services.mailer = createMailer(services.smtp.url(), 'Tandem <tandem@test.example>');
  });
  afterAll(async () => {
    services.mailer?.close();
    await services.smtp?.stop();
    await services.database?.drop();
  });
  return services;
}

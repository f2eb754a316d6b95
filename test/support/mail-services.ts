import { afterAll, beforeAll } from 'vitest';
import type { Block } from '../../core/mail/message.js';
import { asRecipients, notify } from '../../core/mail/notify.js';
import type { MailContext } from '../../core/mail/outbox.js';
import { createMailer, type Mailer } from '../../lib/mail/mailer.js';
import { TEST_PUBLIC_URL, testTaskLinks } from './auth.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { createPartnershipRecord } from './fixtures.js';
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

type MailServices = ReturnType<typeof useMailServices>;

/** What sending needs, on these services; nothing is held in the tests that use it. */
export const testMailContext = (mail: MailServices): MailContext => ({
  db: mail.database.db,
  mailer: mail.mailer,
  publicUrl: TEST_PUBLIC_URL,
  giveUpAfterMs: 86_400_000,
  wake: async () => {
    throw new Error('nothing is held in these tests');
  },
  heartbeat: () => {},
  taskLinks: testTaskLinks(mail.database.db),
});

/**
 * A new partnership, and a message to its two members whose copies say `blocks(link)` (each with their
 * own link to the partnership's page), sent by `run` as often as it is called.
 */
export async function memberNotice(mail: MailServices, key: string, blocks: (link: string) => Block[]) {
  const p = await createPartnershipRecord(mail.database.db, {
    firstReviewAt: new Date(Date.now() + 86_400_000),
    reminderOffsets: [],
    plannedAt: Date.now(),
  });
  return {
    p,
    run: () =>
      notify(testMailContext(mail), {
        messageKey: key,
        template: 'review-missed',
        about: p,
        dueAt: Date.now(),
        recipients: asRecipients(p.members),
        target: `/p/${p.id}`,
        render: (_zone, link) => ({ subject: `About ${key}`, blocks: blocks(link) }),
      }),
  };
}

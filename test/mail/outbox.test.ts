import { describe, expect, it } from 'vitest';
import { p as paragraph } from '../../core/mail/message.js';
import { asRecipients, notify } from '../../core/mail/notify.js';
import { deliver, type MailContext } from '../../core/mail/outbox.js';
import { testTaskLinks } from '../support/auth.js';
import { createPartnershipRecord } from '../support/fixtures.js';
import { useMailServices } from '../support/mail-services.js';

/** The outbox on its own, on the real PostgreSQL and a real SMTP server: what each state leads to. */
describe('the outbox', () => {
  const mail = useMailServices();
  const ctx = (): MailContext => ({
    db: mail.database.db,
    mailer: mail.mailer,
    publicUrl: 'http://tandem.test',
    giveUpAfterMs: 86_400_000,
    wake: async () => {
      throw new Error('nothing is held in these tests');
    },
    heartbeat: () => {},
    taskLinks: testTaskLinks(mail.database.db),
  });

  async function notice(key: string) {
    const p = await createPartnershipRecord(mail.database.db, {
      firstReviewAt: new Date(Date.now() + 86_400_000),
      reminderOffsets: [],
      plannedAt: Date.now(),
    });
    return {
      p,
      run: () =>
        notify(ctx(), {
          messageKey: key,
          template: 'review-missed',
          about: p,
          dueAt: Date.now(),
          recipients: asRecipients(p.members),
          target: `/p/${p.id}`,
          render: (_zone, link) => ({ subject: `About ${key}`, blocks: [paragraph(`text ${link}`)] }),
        }),
    };
  }

  it('sends each copy once however often the message is asked for again', async () => {
    const { p, run } = await notice('once');
    expect(await run()).toEqual({ sent: 2 });
    expect(await run()).toEqual({ 'already-sent': 2 });
    expect(
      mail.smtp.received
        .filter((m) => m.mail.subject === 'About once')
        .flatMap((m) => m.envelopeTo)
        .sort(),
    ).toEqual(p.emails);
  });

  it('does not send again a copy whose attempt stopped during the SMTP transaction: it is unconfirmed', async () => {
    const { p, run } = await notice('interrupted');
    // What a worker killed between claiming a copy and recording the server's answer leaves behind.
    const [first, second] = [...p.members].sort((a, b) => a.person.email.localeCompare(b.person.email));
    await mail.database.db.emailOutbox.create({
      data: {
        idempotencyKey: `interrupted:to:${first?.personId}`,
        messageKey: 'interrupted',
        partnershipId: p.id,
        personId: first?.personId as string,
        template: 'review-missed',
        recipient: first?.person.email as string,
        subject: 'About interrupted',
        text: 'text',
        html: '<p>html</p>',
        status: 'sending',
        attempts: 1,
      },
    });
    expect(await run()).toEqual({ unconfirmed: 1, sent: 1 });
    const rows = await mail.database.db.emailOutbox.findMany({ where: { messageKey: 'interrupted' }, orderBy: { recipient: 'asc' } });
    expect(rows.map((r) => [r.recipient, r.status, r.attempts])).toEqual([
      [first?.person.email, 'unconfirmed', 1],
      [second?.person.email, 'sent', 1],
    ]);
    expect(rows[0]?.lastError).toMatch(/not sent again to avoid a duplicate/);
    expect(mail.smtp.received.filter((m) => m.mail.subject === 'About interrupted').flatMap((m) => m.envelopeTo)).toEqual([
      second?.person.email,
    ]);
  });

  it('puts a copy back to pending and rethrows while the server is unreachable, so the activity retries it', async () => {
    const { run } = await notice('unreachable');
    await mail.smtp.stop();
    try {
      await expect(run()).rejects.toThrow(/ECONNREFUSED/);
      const rows = await mail.database.db.emailOutbox.findMany({ where: { messageKey: 'unreachable' } });
      expect(rows.map((r) => [r.status, r.attempts])).toEqual([
        ['pending', 1],
        ['pending', 1],
      ]);
    } finally {
      await mail.smtp.start();
    }
    expect(await run()).toEqual({ sent: 2 });
    const rows = await mail.database.db.emailOutbox.findMany({ where: { messageKey: 'unreachable' } });
    expect(rows.map((r) => [r.status, r.attempts, r.lastError])).toEqual([
      ['sent', 2, null],
      ['sent', 2, null],
    ]);
    expect(await deliver(ctx(), rows[0]?.id as string)).toBe('sent');
  });
});

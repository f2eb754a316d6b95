import { describe, expect, it } from 'vitest';
import { claimFresh, markOneSent } from '../../core/mail/claims.js';
import { p as paragraph } from '../../core/mail/message.js';
import { asRecipients, notify } from '../../core/mail/notify.js';
import { deliver, type MailContext } from '../../core/mail/outbox.js';
import { createDb, type Db } from '../../lib/db/client.js';
import { createMailer } from '../../lib/mail/mailer.js';
import { testTaskLinks } from '../support/auth.js';
import { memberNotice, testMailContext, useMailServices } from '../support/mail-services.js';
import { startTestSmtp } from '../support/smtp.js';
import { startTcpProxy } from '../support/tcp-proxy.js';

/** The outbox on its own, on the real PostgreSQL and a real SMTP server: what each state leads to. */
describe('the outbox', () => {
  const mail = useMailServices();
  const ctx = () => testMailContext(mail);
  const notice = (key: string) => memberNotice(mail, key, (link) => [paragraph(`text ${link}`)]);

  /** A copy as an earlier attempt recorded it. */
  type Member = Awaited<ReturnType<typeof notice>>['p']['members'][number];
  const recorded = (
    p: { id: string },
    who: Member | undefined,
    messageKey: string,
    idempotencyKey: string,
    state: { status: 'pending' | 'sending'; attempts?: number },
  ) =>
    mail.database.db.emailOutbox.create({
      data: {
        idempotencyKey,
        messageKey,
        partnershipId: p.id,
        personId: who?.personId as string,
        template: 'review-missed',
        recipient: who?.person.email as string,
        subject: `About ${messageKey}`,
        text: 'text',
        html: '<p>html</p>',
        ...state,
      },
    });

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
    await recorded(p, first, 'interrupted', `interrupted:to:${first?.personId}`, { status: 'sending', attempts: 1 });
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

  /**
   * Tandem's own client to the database, through a proxy that is cut as the SMTP server takes the
   * first copy, before it answers (accepted, or put off with `firstAnswer`), and restored 1.5 s later:
   * the record of that answer meets no database.
   */
  async function databaseAwayAtFirstAnswer(firstAnswer?: Error) {
    const url = new URL(mail.database.url);
    url.searchParams.delete('host');
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(url.port) });
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port());
    const db = createDb(url.toString());
    let first = true;
    let restored: Promise<void> | null = null;
    const smtp = await startTestSmtp({
      beforeAccepting: async () => {
        // Decided before the first await: the other copy may arrive while the proxy is being cut.
        if (!first) return;
        first = false;
        await proxy.cut();
        restored = new Promise((resolve) => setTimeout(resolve, 1_500)).then(proxy.restore);
        if (firstAnswer) throw firstAnswer;
      },
    });
    const mailer = createMailer(smtp.url(), 'Tandem <tandem@test.example>');
    return {
      smtp,
      ctx: { ...testMailContext(mail), db, mailer, taskLinks: testTaskLinks(db) },
      wasCut: () => restored !== null,
      async stop() {
        await restored;
        mailer.close();
        await smtp.stop();
        await db.$disconnect();
        await proxy.stop();
      },
    };
  }
  const notifyMembers = (ctx: MailContext, p: Awaited<ReturnType<typeof notice>>['p'], messageKey: string) =>
    notify(ctx, {
      messageKey,
      template: 'review-missed',
      about: p,
      dueAt: Date.now(),
      recipients: asRecipients(p.members),
      target: `/p/${p.id}`,
      render: () => ({ subject: `About ${messageKey}`, blocks: [paragraph('text')] }),
    });

  it('marks a copy the server accepted as sent once the database is back, when it could not be reached at that moment', async () => {
    const { p } = await notice('database-away');
    const away = await databaseAwayAtFirstAnswer();
    try {
      const result = await notifyMembers(away.ctx, p, 'database-away');
      expect(away.wasCut(), 'the database was cut while a copy was being sent').toBe(true);
      expect(result).toEqual({ sent: 2 });
      const rows = await mail.database.db.emailOutbox.findMany({ where: { messageKey: 'database-away' } });
      expect(rows.map((r) => [r.status, r.attempts, r.sentAt !== null])).toEqual([
        ['sent', 1, true],
        ['sent', 1, true],
      ]);
      expect(away.smtp.received.flatMap((m) => m.envelopeTo).sort()).toEqual(p.emails);
    } finally {
      await away.stop();
    }
  });

  it('puts a copy the server put off back to pending once the database is back, so that the retry sends it rather than leave it unconfirmed', async () => {
    const { p } = await notice('put-off');
    const later = Object.assign(new Error('451 try again later'), { responseCode: 451 });
    const away = await databaseAwayAtFirstAnswer(later);
    try {
      await expect(notifyMembers(away.ctx, p, 'put-off')).rejects.toThrow(/try again later/);
      expect(away.wasCut(), 'the database was cut while a copy was being sent').toBe(true);
      const rows = async () =>
        (
          await mail.database.db.emailOutbox.findMany({
            where: { messageKey: 'put-off' },
            orderBy: [{ status: 'asc' }, { attempts: 'desc' }],
          })
        ).map((r) => [r.status, r.attempts]);
      expect(await rows()).toEqual([
        ['pending', 1],
        ['sent', 1],
      ]);
      // The activity's retry.
      expect(await notifyMembers(away.ctx, p, 'put-off')).toEqual({ sent: 1, 'already-sent': 1 });
      expect(await rows()).toEqual([
        ['sent', 2],
        ['sent', 1],
      ]);
      // Each arrived once, besides the first attempt the server put off.
      const arrived = away.smtp.received.flatMap((m) => m.envelopeTo);
      expect(arrived).toHaveLength(3);
      expect([...new Set(arrived)].sort()).toEqual(p.emails);
    } finally {
      await away.stop();
    }
  });

  it('claims, and marks sent, the copies asked for at the same moment in one statement each, each once, and none another attempt holds', async () => {
    const { p } = await notice('claims');
    const db = mail.database.db;
    const [a, b] = p.members;
    const row = (who: typeof a, key: string, status: 'pending' | 'sending') => recorded(p, who, 'claims', `claims:${key}`, { status });
    const [free1, free2, held] = [await row(a, '1', 'pending'), await row(b, '2', 'pending'), await row(a, '3', 'sending')];
    // Counts the outbox's update statements (claims and marks) that reach PostgreSQL.
    let statements = 0;
    const counting = new Proxy(db, {
      get: (target, prop) =>
        prop === 'emailOutbox'
          ? new Proxy(target.emailOutbox, {
              get: (outbox, name) =>
                name === 'updateManyAndReturn'
                  ? (...args: Parameters<typeof outbox.updateManyAndReturn>) => {
                      statements += 1;
                      return outbox.updateManyAndReturn(...args);
                    }
                  : Reflect.get(outbox, name),
            })
          : Reflect.get(target, prop),
    }) as Db;
    const claimed = await Promise.all([free1, free2, held, free1].map((r) => claimFresh(counting, r.id)));
    expect(statements).toBe(1);
    expect(claimed.map((r) => r && [r.id, r.status, r.attempts])).toEqual([[free1.id, 'sending', 1], [free2.id, 'sending', 1], null, null]);
    // Claimed already: a later claim finds nothing to take.
    expect(await claimFresh(counting, free1.id)).toBeNull();
    expect(statements).toBe(2);
    // Both marked sent in one statement; a copy marked twice is marked once.
    const marked = await Promise.all([free1, free2, free1].map((r) => markOneSent(counting, r.id)));
    expect(statements).toBe(3);
    expect(marked.map((r) => r?.id ?? null)).toEqual([free1.id, free2.id, null]);
    const rows = await db.emailOutbox.findMany({ where: { messageKey: 'claims' }, orderBy: { idempotencyKey: 'asc' } });
    expect(rows.map((r) => [r.idempotencyKey, r.status, r.attempts, r.sentAt !== null])).toEqual([
      ['claims:1', 'sent', 1, true],
      ['claims:2', 'sent', 1, true],
      ['claims:3', 'sending', 0, false],
    ]);
  });
});

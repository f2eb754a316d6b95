import type { Db } from '../db/client.js';
import type { Mailer } from './mailer.js';
import type { RenderedMail } from './templates.js';

export interface OutboxMessage {
  /** Business key of the logical message, e.g. review:<id>:reminder:1. */
  idempotencyKey: string;
  partnershipId: string;
  template: string;
  recipients: string[];
  mail: RenderedMail;
  /** Workflow time at which the message was due. */
  dueAt: number;
}

/**
 * Records the message, then sends it unless it was sent before: a retried activity with the same
 * key sends nothing twice. The Message-ID is derived from the key, so a receiving side can
 * recognise a resend after a crash between the SMTP reply and the database update.
 */
export async function sendOnce(
  db: Db,
  mailer: Mailer,
  m: OutboxMessage,
  beforeSend: () => void = () => {},
): Promise<'sent' | 'already-sent'> {
  const row = await db.emailOutbox.upsert({
    where: { idempotencyKey: m.idempotencyKey },
    create: {
      idempotencyKey: m.idempotencyKey,
      partnershipId: m.partnershipId,
      template: m.template,
      recipients: m.recipients,
      subject: m.mail.subject,
      dueAt: new Date(m.dueAt),
    },
    update: {},
  });
  if (row.status === 'sent') return 'already-sent';
  await db.emailOutbox.update({ where: { id: row.id }, data: { attempts: { increment: 1 } } });
  beforeSend();
  try {
    const { messageId } = await mailer.send({
      to: row.recipients,
      subject: row.subject,
      text: m.mail.text,
      html: m.mail.html,
      messageId: `<${m.idempotencyKey.replaceAll(':', '.')}@tandem>`,
    });
    await db.emailOutbox.update({
      where: { id: row.id },
      data: { status: 'sent', sentAt: new Date(), providerMessageId: messageId, lastError: null },
    });
  } catch (e) {
    await db.emailOutbox.update({ where: { id: row.id }, data: { lastError: (e as Error).message.slice(0, 1000) } });
    throw e;
  }
  return 'sent';
}

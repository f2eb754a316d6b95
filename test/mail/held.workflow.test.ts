import { describe, expect, it } from 'vitest';
import { deliverHeld } from '../../core/mail/notify.js';
import { requestMail } from '../../core/mail/send.js';
import { createPartnershipRecord } from '../support/fixtures.js';
import { useMailServices } from '../support/mail-services.js';

/**
 * Mail held over quiet hours or for a digest is looked at again when its time comes: what no longer
 * applies is dropped (a prompt and reminders for a reflection window that closed, a reminder for a
 * review that is over, an invitation a newer one replaced), and of several about one thing only the
 * latest goes out.
 */
describe('held mail, when its delivery comes', () => {
  const mail = useMailServices();
  it('drops what no longer applies and sends only the latest of what does', async () => {
    const db = mail.database.db;
    const now = Date.now();
    const p = await createPartnershipRecord(db, {
      firstReviewAt: new Date(now + 30 * 86_400_000),
      reminderOffsets: ['P1D'],
      plannedAt: now,
    });
    const ana = p.districtLead;
    // An earlier review, held, whose reflection window has just closed.
    const held = await db.review.create({
      data: {
        partnershipId: p.id,
        sequence: 0,
        scheduledAt: new Date(now - 20 * 86_400_000),
        status: 'held',
        reflectionsClosedAt: new Date(now - 60_000),
      },
    });
    await db.reflection.create({ data: { reviewId: held.id, personId: ana.id, promptedAt: new Date(now - 19 * 86_400_000) } });
    // The upcoming review moved twice: invitation 1 was replaced by invitation 2.
    await db.review.update({ where: { id: p.review.id }, data: { calendarSequence: 2 } });
    const base = {
      personId: ana.id,
      partnershipId: p.id,
      recipient: ana.email,
      status: 'held' as const,
      sendAfter: new Date(now - 1000),
      text: 't',
      html: '<p>t</p>',
    };
    const rows = [
      [`reflection:${held.id}:${ana.id}:prompt`, 'reflection-prompt', 1],
      [`reflection:${held.id}:${ana.id}:reminder:1`, 'reflection-reminder', 2],
      [`reflection:${held.id}:${ana.id}:reminder:2`, 'reflection-reminder', 3],
      [`review:${p.review.id}:invitation:1`, 'review-invitation', 4],
      [`review:${p.review.id}:invitation:2`, 'review-invitation', 5],
      [`review:${p.review.id}:reminder:1`, 'review-reminder', 6],
    ] as const;
    for (const [messageKey, template, n] of rows) {
      await db.emailOutbox.create({
        data: {
          ...base,
          messageKey,
          template,
          subject: messageKey,
          idempotencyKey: `${messageKey}:to:${ana.id}`,
          dueAt: new Date(now - 100_000 + n),
        },
      });
    }
    await deliverHeld(
      requestMail({ db, mailer: mail.mailer, publicUrl: 'http://tandem.test', mailGiveUpAfterMs: 86_400_000 }),
      ana.id,
      now,
    );
    const after = await db.emailOutbox.findMany({ where: { personId: ana.id }, orderBy: { dueAt: 'asc' } });
    expect(after.map((r) => [r.messageKey.split(':').slice(2).join(':'), r.status])).toEqual([
      [`${ana.id}:prompt`, 'dropped'],
      [`${ana.id}:reminder:1`, 'dropped'],
      [`${ana.id}:reminder:2`, 'dropped'],
      ['invitation:1', 'dropped'],
      ['invitation:2', 'sent'],
      ['reminder:1', 'sent'],
    ]);
    expect(mail.smtp.received.map((m) => m.mail.subject).sort()).toEqual([
      `review:${p.review.id}:invitation:2`,
      `review:${p.review.id}:reminder:1`,
    ]);
  });
});

import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Db } from '../lib/db/client.js';
import type { Mailer } from '../lib/mail/mailer.js';
import { reviewReminder } from '../lib/mail/templates.js';
import { type PlannedReminder, planReminders } from '../lib/schedule/reminders.js';

export interface ActivityDeps {
  db: Db;
  mailer: Mailer;
  publicUrl: string;
}

export interface ReviewPlan {
  reviewId: string;
  sequence: number;
  scheduledAt: number;
  reminders: PlannedReminder[];
}

export interface ReminderInput {
  partnershipId: string;
  reviewId: string;
  reminderIndex: number;
  /** Workflow time at which the reminder was due. */
  dueAt: number;
}

export interface ReminderResult {
  idempotencyKey: string;
  status: 'sent' | 'already-sent';
}

export function createActivities({ db, mailer, publicUrl }: ActivityDeps) {
  return {
    async activatePartnership(partnershipId: string): Promise<void> {
      const found = await db.partnership.updateMany({
        where: { id: partnershipId, status: 'planning' },
        data: { status: 'active' },
      });
      if (found.count === 0 && !(await db.partnership.findUnique({ where: { id: partnershipId }, select: { id: true } }))) {
        throw ApplicationFailure.nonRetryable(`partnership ${partnershipId} does not exist`, 'NotFound');
      }
      await db.partnershipEvent.upsert({
        where: { idempotencyKey: `partnership:${partnershipId}:activated` },
        create: { partnershipId, idempotencyKey: `partnership:${partnershipId}:activated`, type: 'partnership.activated', actor: 'system' },
        update: {},
      });
    },

    async planNextReview(partnershipId: string): Promise<ReviewPlan | null> {
      const p = await db.partnership.findUnique({
        where: { id: partnershipId },
        include: { reviews: { where: { status: 'scheduled' }, orderBy: { sequence: 'asc' }, take: 1 } },
      });
      if (!p) throw ApplicationFailure.nonRetryable(`partnership ${partnershipId} does not exist`, 'NotFound');
      const review = p.reviews[0];
      if (!review) return null;
      const scheduledAt = review.scheduledAt.getTime();
      return {
        reviewId: review.id,
        sequence: review.sequence,
        scheduledAt,
        reminders: planReminders(scheduledAt, p.reminderOffsets, p.timeZone),
      };
    },

    async sendReviewReminder(input: ReminderInput): Promise<ReminderResult> {
      const idempotencyKey = `review:${input.reviewId}:reminder:${input.reminderIndex}`;
      const review = await db.review.findUnique({
        where: { id: input.reviewId },
        include: { partnership: { include: { members: { include: { person: true } } } } },
      });
      if (!review) throw ApplicationFailure.nonRetryable(`review ${input.reviewId} does not exist`, 'NotFound');
      const { partnership } = review;
      const mail = reviewReminder({
        partnershipName: partnership.name,
        sequence: review.sequence,
        scheduledAt: review.scheduledAt.getTime(),
        timeZone: partnership.timeZone,
        link: `${publicUrl}/partnerships/${partnership.id}`,
      });
      const recipients = partnership.members.map((m) => m.person.email).sort();

      const outbox = await db.emailOutbox.upsert({
        where: { idempotencyKey },
        create: {
          idempotencyKey,
          partnershipId: partnership.id,
          template: 'review-reminder',
          recipients,
          subject: mail.subject,
          dueAt: new Date(input.dueAt),
        },
        update: {},
      });
      if (outbox.status === 'sent') return { idempotencyKey, status: 'already-sent' };

      await db.emailOutbox.update({ where: { id: outbox.id }, data: { attempts: { increment: 1 } } });
      Context.current().heartbeat();
      try {
        const { messageId } = await mailer.send({
          to: outbox.recipients,
          subject: outbox.subject,
          text: mail.text,
          html: mail.html,
          messageId: `<${idempotencyKey.replaceAll(':', '.')}@tandem>`,
        });
        await db.$transaction([
          db.emailOutbox.update({
            where: { id: outbox.id },
            data: { status: 'sent', sentAt: new Date(), providerMessageId: messageId, lastError: null },
          }),
          db.partnershipEvent.upsert({
            where: { idempotencyKey },
            create: {
              partnershipId: partnership.id,
              idempotencyKey,
              type: 'review.reminder_sent',
              actor: 'system',
              data: { reviewId: review.id, reminderIndex: input.reminderIndex, recipients },
            },
            update: {},
          }),
        ]);
      } catch (e) {
        await db.emailOutbox.update({ where: { id: outbox.id }, data: { lastError: (e as Error).message.slice(0, 1000) } });
        throw e;
      }
      return { idempotencyKey, status: 'sent' };
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;

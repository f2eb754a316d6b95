import { Context } from '@temporalio/activity';
import { deliverHeld } from '../../core/mail/notify.js';
import { deliver, type MailContext } from '../../core/mail/outbox.js';
import { redactSentCopies } from '../../core/mail/redact-links.js';
import type { ActivityDeps } from '../deps.js';
import { wakeMailbox } from './mailbox.js';

/** Sending as an activity does it: heartbeats, and held mail handed to the person's mailbox workflow. */
export function mailContext({ db, mailer, publicUrl, mailGiveUpAfterMs, taskLinks, replyDomain }: ActivityDeps): MailContext {
  return {
    db,
    replyDomain,
    taskLinks,
    mailer,
    publicUrl,
    giveUpAfterMs: mailGiveUpAfterMs,
    // A local activity has no heartbeat of its own: the worker keeps its workflow task alive.
    heartbeat: () => {
      if (!Context.current().info.isLocal) Context.current().heartbeat();
    },
    wake: (personId) => wakeMailbox(Context.current().client, Context.current().info.taskQueue, personId),
  };
}

/**
 * The workflow time of the activity's start: what an activity without a `now` of its own judges
 * quiet hours and digests by (on the test server's skipped clock too).
 */
export const workflowNow = () => Context.current().info.scheduledTimestampMs;

/** How many copies one sweep sends at most; the next sweep takes the rest. */
const SWEEP_BATCH = 500;

/**
 * Copies redacted in one statement, and statements in one sweep: 10,000 copies a minute, more than a
 * quarter-start burst of this size (bench:burst), each statement short enough not to hold up the sends.
 */
const REDACT_BATCH = 500;
const REDACT_BATCHES = 20;

export function createMailActivities(deps: ActivityDeps) {
  return {
    async deliverHeldMail(input: { personId: string; now: number }): Promise<number | null> {
      return deliverHeld(mailContext(deps), input.personId, input.now);
    },

    /**
     * Sends the copies left `pending` for longer than `olderThanMs`: mail a request sent at once whose
     * SMTP attempt failed (a sign-in link, an address to confirm) has no activity to retry it. Each copy
     * is claimed before it goes (core/mail/outbox.ts), so an activity retrying the same copy at the
     * same moment sends it once between them; one that fails again stays pending for the next sweep,
     * until MAIL_GIVE_UP_AFTER marks it failed.
     */
    async sendLeftPendingMail(input: { olderThanMs: number }): Promise<{ sent: number; notSent: number }> {
      const ctx = mailContext(deps);
      const left = await deps.db.emailOutbox.findMany({
        where: { status: 'pending', createdAt: { lt: new Date(Date.now() - input.olderThanMs) } },
        orderBy: { createdAt: 'asc' },
        take: SWEEP_BATCH,
        select: { id: true },
      });
      let sent = 0;
      for (const { id } of left) {
        const status = await deliver(ctx, id).catch(() => 'pending' as const);
        if (status === 'sent') sent++;
      }
      return { sent, notSent: left.length - sent };
    },

    /** Replaces the link tokens in copies sent longer than `olderThanMs` ago (core/mail/redact-links.ts). */
    async redactSentLinks(input: { olderThanMs: number }): Promise<{ redacted: number }> {
      const sentBefore = new Date(Date.now() - input.olderThanMs);
      let redacted = 0;
      for (let i = 0; i < REDACT_BATCHES; i++) {
        const n = await redactSentCopies(deps.db, { publicUrl: deps.publicUrl, sentBefore, batch: REDACT_BATCH });
        redacted += n;
        Context.current().heartbeat();
        if (n < REDACT_BATCH) break;
      }
      return { redacted };
    },
  };
}

import { Context } from '@temporalio/activity';
import { deliverHeld } from '../../core/mail/notify.js';
import type { MailContext } from '../../core/mail/outbox.js';
import type { ActivityDeps } from '../deps.js';
import { wakeMailbox } from './mailbox.js';

/** Sending as an activity does it: heartbeats, and held mail handed to the person's mailbox workflow. */
export function mailContext({ db, mailer, publicUrl, mailGiveUpAfterMs, taskLink, replyDomain }: ActivityDeps): MailContext {
  return {
    db,
    replyDomain,
    taskLink,
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

export function createMailActivities(deps: ActivityDeps) {
  return {
    async deliverHeldMail(input: { personId: string; now: number }): Promise<number | null> {
      return deliverHeld(mailContext(deps), input.personId, input.now);
    },
  };
}

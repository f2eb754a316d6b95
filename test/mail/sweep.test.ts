import { describe, expect, it } from 'vitest';
import { ensureMailSweep, MAIL_SWEEP_SCHEDULE_ID } from '../../activities/mail/sweep-schedule.js';
import { listCapturedMail } from '../../lib/mail/capture.js';
import { useApiStack } from '../support/api-stack.js';
import { recordHistory } from '../support/histories.js';
import { waitFor } from '../support/mailbox.js';

const QUEUE = 'tandem-mail-sweep';

/**
 * Mail a request failed to send at once (the SMTP server down at that moment) is left pending with no
 * activity to retry it: the Temporal schedule sweeps it every minute, on the real dev server.
 */
describe('the mail sweep', () => {
  const stack = useApiStack(QUEUE);

  it("sends a copy left pending, once, by a Temporal schedule that every worker may ensure; a fresh copy is left to its sender; a sent one loses its links' tokens", async () => {
    const db = stack.database.db;
    const copy = (key: string, to: string, createdAt: Date) =>
      db.emailOutbox.create({
        data: {
          idempotencyKey: `${key}:to:x`,
          messageKey: key,
          template: 'sign-in',
          recipient: to,
          subject: 'Your Tandem sign-in link',
          text: 'Open the link.',
          html: '<p>Open the link.</p>',
          createdAt,
          lastError: 'connect ECONNREFUSED 127.0.0.1:587',
        },
      });
    const left = await copy('sweep:left', 'lost@sweep.example', new Date(Date.now() - 5 * 60_000));
    const fresh = await copy('sweep:fresh', 'fresh@sweep.example', new Date());
    // A sign-in link sent twenty minutes ago: its token is of no more use in the outbox.
    const token = 'sweepToken_0123456789abcdefghijklmnopqrstuvwxyz';
    const link = `${stack.publicUrl}/link?t=${token}&u=x`;
    const old = await db.emailOutbox.create({
      data: {
        idempotencyKey: 'sweep:sent:to:x',
        messageKey: 'sweep:sent',
        template: 'sign-in',
        recipient: 'signed-in@sweep.example',
        subject: 'Your Tandem sign-in link',
        text: `Open ${link}`,
        html: `<p><a href="${link.replace('&', '&amp;')}">Sign in</a></p>`,
        status: 'sent',
        sentAt: new Date(Date.now() - 20 * 60_000),
      },
    });
    expect(await ensureMailSweep(stack.temporal, QUEUE)).toBe('created');
    // Every worker replica ensures it at start: the second finds it there.
    expect(await ensureMailSweep(stack.temporal, QUEUE)).toBe('exists');
    const schedule = stack.temporal.schedule.getHandle(MAIL_SWEEP_SCHEDULE_ID);
    await schedule.trigger();
    const sentTo = async (to: string) => (await listCapturedMail(stack.mailCaptureDir)).filter((m) => m.envelopeTo.includes(to)).length;
    await waitFor('the left copy sent', async () => (await db.emailOutbox.findUniqueOrThrow({ where: { id: left.id } })).status === 'sent');
    await waitFor('the left copy captured', async () => (await sentTo('lost@sweep.example')) === 1);
    const first = await waitFor('the first sweep', async () => (await schedule.describe()).info.recentActions[0]);
    const firstSweep = stack.temporal.workflow.getHandle(first.action.workflow.workflowId);
    expect(await firstSweep.result()).toMatchObject({ sent: 1, redacted: 1 });
    expect(await db.emailOutbox.findUniqueOrThrow({ where: { id: old.id } })).toMatchObject({
      linksRedacted: true,
      text: `Open ${stack.publicUrl}/link?t=redacted&u=x`,
      html: `<p><a href="${stack.publicUrl}/link?t=redacted&amp;u=x">Sign in</a></p>`,
    });
    await recordHistory(firstSweep, 'sent-one-left-pending');
    await schedule.trigger();
    const second = await waitFor('a second sweep', async () => (await schedule.describe()).info.recentActions[1]);
    // It has run to its end, and found nothing to send again.
    expect(await stack.temporal.workflow.getHandle(second.action.workflow.workflowId).result()).toMatchObject({ sent: 0, redacted: 0 });
    expect(await sentTo('lost@sweep.example')).toBe(1);
    expect((await db.emailOutbox.findUniqueOrThrow({ where: { id: fresh.id } })).status).toBe('pending');
    await schedule.delete();
  });
});

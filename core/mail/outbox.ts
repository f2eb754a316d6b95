import type { EmailStatus } from '../../generated/prisma/client.js';
import { type Db, whenReachable } from '../../lib/db/client.js';
import type { Mailer } from '../../lib/mail/mailer.js';
import { observe } from '../../lib/metrics.js';
import { markOneSent } from './claims.js';
import { bounceAddress, REPLY_ANSWER_TEMPLATE } from './reply-to.js';

/** One link a person, to the page at `target`, keyed by the person's id (core/people/task-links.ts). */
export type TaskLinks = (people: { id: string }[], target: string) => Promise<Map<string, string>>;

/** What sending needs; the activities build it (`wake` starts the recipient's mailbox workflow). */
export interface MailContext {
  db: Db;
  mailer: Mailer;
  publicUrl: string;
  /** How long after its first attempt a message stops being retried and is marked failed. */
  giveUpAfterMs: number;
  /** Asks the recipient's mailbox workflow to deliver their held mail when it is due. */
  wake(personId: string): Promise<void>;
  /** Called before each SMTP transaction, so a long batch keeps its activity alive. */
  heartbeat(): void;
  /**
   * The links in copies for their recipients, one each, by person id: the page at `target` (a path
   * such as /p/<id>), with a token bound to that one person and that one page
   * (core/people/task-links.ts), so that opening it acts on that page without another sign-in, and on
   * nothing else.
   */
  taskLinks: TaskLinks;
  /** MAIL_REPLY_DOMAIN: when set, a copy that asks for something carries a reply address of its own (./reply-to.ts). */
  replyDomain?: string | undefined;
}

/** A refusal the server will give again: retrying cannot help. */
type Refusal = 'address' | 'message' | null;

function refusalOf(e: unknown): Refusal {
  const { code, responseCode } = e as { code?: string; responseCode?: number };
  if (typeof responseCode !== 'number' || responseCode < 500 || responseCode > 599) return null;
  if (code === 'EENVELOPE') return 'address';
  if (code === 'EMESSAGE') return 'message';
  return null;
}

const clip = (s: string) => s.slice(0, 1000);

type OutboxRow = Awaited<ReturnType<Db['emailOutbox']['findUniqueOrThrow']>>;

/**
 * Sends one recorded message at most once. The row is claimed (pending -> sending) before the SMTP
 * transaction and marked sent after it; a row found still `sending` belongs to an attempt that
 * stopped in between, so whether it arrived is unknown and it is marked unconfirmed, not sent again.
 * A temporary failure puts it back to pending and throws, for the activity's retry; a permanent
 * refusal, or a failure after `giveUpAfterMs` of retrying, ends it as bounced or failed, so the
 * workflow that sent it goes on.
 */
export function deliver(ctx: MailContext, id: string): Promise<EmailStatus> {
  // Claimed only once a connection is free for it (lib/mail/mailer.ts): not left in doubt while it waits.
  return ctx.mailer.whenFree(() => claimAndDeliver(ctx, id));
}

async function claimAndDeliver(ctx: MailContext, id: string): Promise<EmailStatus> {
  const { db } = ctx;
  const [row] = await db.emailOutbox.updateManyAndReturn({
    where: { id, status: 'pending' },
    data: { status: 'sending', attempts: { increment: 1 } },
  });
  if (!row) {
    const found = await db.emailOutbox.findUniqueOrThrow({ where: { id }, select: { status: true } });
    if (found.status !== 'sending') return found.status;
    await db.emailOutbox.updateMany({
      where: { id, status: 'sending' },
      data: { status: 'unconfirmed', lastError: 'the attempt stopped during the SMTP transaction; not sent again to avoid a duplicate' },
    });
    return 'unconfirmed';
  }
  const status = await transmit(ctx, row);
  if (status === 'sent') await markSent(db, [id]);
  return status;
}

/**
 * How long the record of an SMTP server's answer waits for a database that cannot be reached (a
 * PostgreSQL restart, a failover). That answer is known only here and lost if the activity fails, for
 * its retry then finds the copy `sending` and must mark it unconfirmed rather than send it again: an
 * accepted copy would read "unknown", one the server put off would never be sent. A group of copies
 * may wait twice in a row (its put-offs, then its marks, core/mail/notify.ts): both fit in an
 * activity's minute (workflows/activities.ts), so that the retry does not start while they wait.
 */
const ANSWER_PATIENCE_MS = 20_000;

/**
 * The SMTP transaction of a claimed row (status `sending`). Success is left for the caller to record
 * with markSent, so that a batch of copies is recorded in one write; every failure is recorded here.
 */
export async function transmit(ctx: MailContext, row: OutboxRow): Promise<EmailStatus> {
  const { db } = ctx;
  ctx.heartbeat();
  try {
    await ctx.mailer.send({
      to: row.recipient,
      subject: row.subject,
      text: row.text,
      html: row.html,
      messageId: messageIdOf(row.idempotencyKey),
      ...(row.replyTo && { replyTo: row.replyTo }),
      ...(ctx.replyDomain && { bounceTo: bounceAddress(row.id, ctx.replyDomain) }),
      headers: {
        ...(row.unsubscribeUrl && { 'List-Unsubscribe': `<${row.unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }),
        // An answer to someone's reply (core/replies/) is marked as one (RFC 3834), so that their
        // out-of-office does not answer it in turn.
        ...(row.template === REPLY_ANSWER_TEMPLATE && { 'Auto-Submitted': 'auto-replied' }),
      },
      ...(row.ics && { calendar: { method: row.ics.includes('METHOD:CANCEL') ? 'CANCEL' : 'REQUEST', content: row.ics } }),
    });
    return 'sent';
  } catch (e) {
    const message = clip((e as Error).message);
    const refusal = refusalOf(e);
    if (refusal === 'address') {
      await whenReachable(() => recordBounce(db, row, message), ANSWER_PATIENCE_MS);
      return 'bounced';
    }
    const since = row.firstAttemptAt ?? row.createdAt;
    if (refusal === 'message' || Date.now() - since.getTime() >= ctx.giveUpAfterMs) {
      const why = refusal ? message : `gave up after ${row.attempts} attempts since ${since.toISOString()}: ${message}`;
      await putDown(db, row.id, { status: 'failed', lastError: clip(why) });
      return 'failed';
    }
    await putDown(db, row.id, { status: 'pending', lastError: message });
    throw e;
  }
}

/** A claimed copy the SMTP server did not take, now or for good; guarded by the claim it ends. */
const putDown = (db: Db, id: string, data: { status: 'pending' | 'failed'; lastError: string }) =>
  whenReachable(() => db.emailOutbox.updateMany({ where: { id, status: 'sending' }, data }), ANSWER_PATIENCE_MS);

/**
 * The recipient's server refused a copy's address for good: at once (a 5xx to RCPT TO), or later by a
 * delivery status notification (core/replies/). The person is marked, and not written to again at that
 * address until it changes.
 */
export async function recordBounce(db: Db, row: { id: string; personId: string | null; recipient: string }, why: string) {
  await db.emailOutbox.update({ where: { id: row.id }, data: { status: 'bounced', lastError: clip(why) } });
  if (row.personId) {
    await db.person.updateMany({
      where: { id: row.personId, email: row.recipient },
      data: { emailBouncedAt: new Date(), emailBounce: clip(why) },
    });
  }
}

/**
 * Copies the SMTP server accepted; each one's lateness (due to sent) is counted for the operator.
 * Marked together with the other copies marked at the same moment (claims.ts), and waiting a while
 * for a database that cannot be reached.
 */
export async function markSent(db: Db, ids: string[]): Promise<void> {
  // Each guarded by `sending`: a mark that took effect before its answer was lost is not made twice.
  const sent = await Promise.all(ids.map((id) => whenReachable(() => markOneSent(db, id), ANSWER_PATIENCE_MS)));
  // A copy held for quiet hours or a digest was due when its hold ended; one without a due time
  // (sent at once for a request) when it was written.
  for (const c of sent) if (c?.sentAt) observe.mailSent(c.template, (c.sentAt.getTime() - dueOf(c).getTime()) / 1000);
}

const dueOf = (c: { dueAt: Date | null; sendAfter: Date | null; createdAt: Date }) => {
  const due = c.dueAt ?? c.createdAt;
  return c.sendAfter && c.sendAfter > due ? c.sendAfter : due;
};

/** The Message-ID a copy is sent with: stable per copy, so a receiving side can recognise a resend. */
export const messageIdOf = (idempotencyKey: string) => `<${idempotencyKey.replaceAll(':', '.')}@tandem>`;

/** Why a message to this person is not attempted: the server refused their address for good. */
export function bounceNote(person: { email: string; emailBouncedAt: Date | null; emailBounce: string | null }, recipient: string) {
  if (!person.emailBouncedAt || person.email !== recipient) return null;
  return clip(`not sent: the server refused ${recipient} on ${person.emailBouncedAt.toISOString()}: ${person.emailBounce ?? ''}`);
}

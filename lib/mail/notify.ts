import { randomUUID } from 'node:crypto';
import type { EmailStatus, NotificationLevel, Person, Prisma } from '../../generated/prisma/client.js';
import { OPTIONAL_TEMPLATES, wantsMessage } from '../policy.js';
import { nextDigestAt, quietHoursEnd } from './delivery-times.js';
import { MAILER_CONNECTIONS } from './mailer.js';
import { bounceNote, deliver, type MailContext } from './outbox.js';
import { digest, type RenderedMail, withFooter } from './templates.js';

export interface Recipient {
  person: Person;
  /** Their membership of the partnership the message is about; absent for an owner who is not a member. */
  membership?: { notifications: NotificationLevel; unsubscribeToken: string } | null;
}

/** One logical message to several people, each getting their own copy in their own zone. */
export interface Notice {
  /** Business key of the message, e.g. review:<id>:reminder:1; each copy's key adds the person. */
  messageKey: string;
  template: string;
  partnershipId: string;
  partnershipName: string;
  /** The partnership's zone, for recipients without one of their own. */
  timeZone: string;
  /** Workflow time at which the message is due: quiet hours and digests are judged at it. */
  dueAt: number;
  recipients: Recipient[];
  render(timeZone: string): RenderedMail;
  calendar?: string;
}

export type NoticeResult = Partial<Record<EmailStatus | 'already-sent' | 'not-wanted', number>>;

/**
 * Records one copy per recipient, then sends those due now. Optional messages skip members who
 * unsubscribed; a digest reader's reminders, and anything due in someone's quiet hours, are held
 * for their mailbox workflow. Every copy is attempted before a temporary failure is rethrown.
 */
export async function notify(ctx: MailContext, n: Notice): Promise<NoticeResult> {
  const result: NoticeResult = {};
  const count = (k: keyof NoticeResult) => {
    result[k] = (result[k] ?? 0) + 1;
  };
  const optional = OPTIONAL_TEMPLATES.has(n.template);
  const copies: Prisma.EmailOutboxCreateManyInput[] = [];
  const seen = new Set<string>();
  for (const { person, membership } of n.recipients) {
    if (seen.has(person.id)) continue;
    seen.add(person.id);
    if (membership && !wantsMessage(membership, n.template)) {
      count('not-wanted');
      continue;
    }
    const prefs = { ...person, timeZone: person.timeZone ?? n.timeZone };
    const inDigest = optional && person.mailDelivery === 'daily_digest';
    const sendAfter = inDigest ? nextDigestAt(n.dueAt, prefs) : quietHoursEnd(n.dueAt, prefs);
    const unsubscribeUrl = optional && membership ? `${ctx.publicUrl}/unsubscribe/${membership.unsubscribeToken}` : null;
    const body = n.render(prefs.timeZone);
    const bounced = bounceNote(person, person.email);
    const status: EmailStatus = bounced ? 'bounced' : sendAfter === null ? 'pending' : 'held';
    copies.push({
      id: randomUUID(),
      idempotencyKey: `${n.messageKey}:to:${person.id}`,
      messageKey: n.messageKey,
      partnershipId: n.partnershipId,
      personId: person.id,
      template: n.template,
      recipient: person.email,
      ...(inDigest ? body : withFooter(body, { timeZone: prefs.timeZone, unsubscribeUrl, partnershipName: n.partnershipName })),
      ics: n.calendar ?? null,
      unsubscribeUrl,
      status,
      lastError: bounced,
      inDigest,
      sendAfter: sendAfter === null ? null : new Date(sendAfter),
      firstAttemptAt: status === 'pending' ? new Date() : null,
      dueAt: new Date(n.dueAt),
    });
  }
  if (copies.length === 0) return result;
  // ON CONFLICT DO NOTHING: a retry, or an attempt overlapping one that timed out, finds its rows there.
  const created = await ctx.db.emailOutbox.createMany({ data: copies, skipDuplicates: true });
  const rows =
    created.count === copies.length
      ? copies.map((c) => ({ id: c.id as string, personId: c.personId as string, status: c.status as EmailStatus }))
      : await ctx.db.emailOutbox.findMany({
          where: { idempotencyKey: { in: copies.map((c) => c.idempotencyKey) } },
          select: { id: true, personId: true, status: true },
          orderBy: { recipient: 'asc' },
        });
  let failure: unknown = null;
  const handle = async (row: (typeof rows)[number]) => {
    if (row.status === 'held') {
      await ctx.wake(row.personId as string);
      count('held');
    } else if (row.status !== 'pending' && row.status !== 'sending') {
      count(row.status === 'sent' ? 'already-sent' : row.status);
    } else {
      try {
        count(await deliver(ctx, row.id));
      } catch (e) {
        failure ??= e;
        count('pending');
      }
    }
  };
  // As many side by side as the pool has connections: a large partnership must fit in its activity's
  // time limit even on a slow SMTP server.
  for (let i = 0; i < rows.length; i += MAILER_CONNECTIONS) await Promise.all(rows.slice(i, i + MAILER_CONNECTIONS).map(handle));
  if (failure) throw failure;
  return result;
}

/**
 * A person's held mail that is due at `now`: messages held over quiet hours go out one by one,
 * digest items together as one message. Returns when the next held message is due, or null.
 */
export async function deliverHeld(ctx: MailContext, personId: string, now: number): Promise<number | null> {
  const { db } = ctx;
  const due = await db.emailOutbox.findMany({
    where: { personId, status: 'held', sendAfter: { lte: new Date(now) } },
    orderBy: [{ dueAt: 'asc' }, { createdAt: 'asc' }],
  });
  let failure: unknown = null;
  const person = await db.person.findUniqueOrThrow({ where: { id: personId } });
  for (const row of due.filter((r) => !r.inDigest)) {
    const bounced = bounceNote(person, row.recipient);
    await db.emailOutbox.updateMany({
      where: { id: row.id, status: 'held' },
      data: bounced ? { status: 'bounced', lastError: bounced } : { status: 'pending', firstAttemptAt: new Date() },
    });
    try {
      const status = await deliver(ctx, row.id);
      if (row.template === 'digest') await settleDigestItems(ctx, row.id, status);
    } catch (e) {
      failure ??= e;
    }
  }
  // Keyed by the workflow's `now`, so a retry finds the digest it already recorded.
  const digestKey = `digest:${personId}:${now}`;
  let digestRow = await db.emailOutbox.findUnique({ where: { idempotencyKey: digestKey } });
  const items = due.filter((r) => r.inDigest && !r.digestId);
  if (!digestRow && items.length > 0) {
    const bounced = bounceNote(person, person.email);
    const firstPartnership = items.find((i) => i.partnershipId)?.partnershipId;
    const first = firstPartnership
      ? await db.partnership.findUnique({ where: { id: firstPartnership }, select: { timeZone: true } })
      : null;
    const timeZone = person.timeZone ?? first?.timeZone ?? 'UTC';
    const mail = withFooter(digest({ at: now, timeZone, items }), { timeZone, unsubscribeUrl: null });
    digestRow = await db.$transaction(async (tx) => {
      const created = await tx.emailOutbox.create({
        data: {
          idempotencyKey: digestKey,
          messageKey: digestKey,
          personId,
          template: 'digest',
          recipient: person.email,
          ...mail,
          ...(bounced ? { status: 'bounced', lastError: bounced } : { firstAttemptAt: new Date() }),
          dueAt: new Date(now),
        },
      });
      await tx.emailOutbox.updateMany({ where: { id: { in: items.map((i) => i.id) }, digestId: null }, data: { digestId: created.id } });
      return created;
    });
  }
  if (digestRow) await settleDigestItems(ctx, digestRow.id, await deliver(ctx, digestRow.id));
  if (failure) throw failure;
  const next = await db.emailOutbox.aggregate({ where: { personId, status: 'held', digestId: null }, _min: { sendAfter: true } });
  return next._min.sendAfter?.getTime() ?? null;
}

/** The items of a digest end as the digest did (a digest sent again takes its failed items with it). */
async function settleDigestItems(ctx: MailContext, digestId: string, status: EmailStatus): Promise<void> {
  const digestRow = await ctx.db.emailOutbox.findUniqueOrThrow({ where: { id: digestId } });
  await ctx.db.emailOutbox.updateMany({
    where: { digestId, status: { in: ['held', 'failed', 'bounced', 'unconfirmed'] } },
    data: { status, sentAt: digestRow.sentAt, providerMessageId: digestRow.providerMessageId, lastError: digestRow.lastError },
  });
}

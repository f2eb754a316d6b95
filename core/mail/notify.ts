import { randomUUID } from 'node:crypto';
import type { EmailStatus, NotificationLevel, Person, Prisma } from '../../generated/prisma/client.js';
import { OPTIONAL_TEMPLATES, wantsMessage } from '../policy.js';
import { claimFresh } from './claims.js';
import { nextDigestAt, quietHoursEnd } from './delivery-times.js';
import { type Message, p, renderMail } from './message.js';
import { bounceNote, deliver, type MailContext, markSent, messageIdOf, transmit } from './outbox.js';
import { newReplyAddress, type ReplySubject, replyHint } from './reply-to.js';
import { aboutOf, stillApplies } from './still-applies.js';
import { digest } from './templates.js';

export interface Recipient {
  person: Person;
  /** Their membership of the partnership the message is about; absent for an owner who is not a member. */
  membership?: { notifications: NotificationLevel; unsubscribeToken: string } | null;
}

/** Members as a notice's recipients, each with their membership (their delivery settings for it). */
export const asRecipients = <M extends { person: Person; notifications: NotificationLevel; unsubscribeToken: string }>(
  members: readonly M[],
): Recipient[] => members.map((m) => ({ person: m.person, membership: m }));

/** One logical message to several people, each getting their own copy in their own zone. */
export interface Notice {
  /** Business key of the message, e.g. review:<id>:reminder:1; each copy's key adds the person. */
  messageKey: string;
  template: string;
  /**
   * The partnership it is about, whose zone serves recipients without one of their own; a message
   * about none (a sign-in link) names only the zone to write it in.
   */
  about: { id: string; name: string; timeZone: string } | { id: null; name?: undefined; timeZone: string };
  /** Workflow time at which the message is due: quiet hours and digests are judged at it. */
  dueAt: number;
  recipients: Recipient[];
  /** The page where a recipient does what the message asks; each copy links to it, signing its reader in. */
  target: string;
  /** Each copy in its reader's zone, with the link to `target` made for them; `reader` is whom it goes to. */
  render(timeZone: string, link: string, reader: { id: string; name: string }): Message;
  calendar?: string;
  /**
   * What a reader's copy asks that an answer by mail can give (their reflection, their commitment):
   * with MAIL_REPLY_DOMAIN set, that copy gets a reply address of its own and says how to reply.
   */
  replyFor?(reader: { id: string }): ReplySubject | null;
  /** Sent at once whatever the recipient's quiet hours and digest (a sign-in link someone is waiting for). */
  urgent?: boolean;
}

export type NoticeResult = Partial<Record<EmailStatus | 'already-sent' | 'not-wanted', number>>;

/**
 * Records one copy per recipient, then sends those due now. Optional messages skip members who
 * unsubscribed; a digest reader's reminders, and anything due in someone's quiet hours, are held
 * for their mailbox workflow. Copies recorded by an earlier attempt are not rendered again; fresh
 * copies due now are recorded `pending` in one insert and each claimed as it goes. Every copy is
 * attempted before a temporary failure is rethrown.
 */
export async function notify(ctx: MailContext, n: Notice): Promise<NoticeResult> {
  const result: NoticeResult = {};
  const count = (k: keyof NoticeResult) => {
    result[k] = (result[k] ?? 0) + 1;
  };
  const keyOf = (personId: string) => `${n.messageKey}:to:${personId}`;
  const wanted: Recipient[] = [];
  const seen = new Set<string>();
  for (const r of n.recipients) {
    if (seen.has(r.person.id)) continue;
    seen.add(r.person.id);
    if (r.membership && !wantsMessage(r.membership, n.template)) count('not-wanted');
    else wanted.push(r);
  }
  if (wanted.length === 0) return result;
  // A retry, or an attempt overlapping one that timed out, finds its copies here and sends what is left.
  const earlier = await ctx.db.emailOutbox.findMany({
    where: { idempotencyKey: { in: wanted.map((r) => keyOf(r.person.id)) } },
    select: { id: true, personId: true, status: true },
    orderBy: { recipient: 'asc' },
  });
  const recorded = new Set(earlier.map((r) => r.personId));
  const unrecorded = wanted.filter((r) => !recorded.has(r.person.id));
  const links = unrecorded.length
    ? await ctx.taskLinks(
        unrecorded.map((r) => r.person),
        n.target,
      )
    : new Map<string, string>();
  const copies = unrecorded.map((r) => {
    const link = links.get(r.person.id);
    if (!link) throw new Error(`No link was made for person ${r.person.id} of ${n.messageKey}`);
    return copyFor(ctx, n, r, keyOf(r.person.id), link);
  });
  // ON CONFLICT DO NOTHING: a copy another attempt recorded meanwhile is left to that attempt.
  const created = copies.length ? await ctx.db.emailOutbox.createManyAndReturn({ data: copies, skipDuplicates: true }) : [];
  let failure: unknown = null;
  const fresh = async (row: (typeof created)[number]): Promise<string | null> => {
    if (row.status === 'held') {
      await ctx.wake(row.personId as string);
      count('held');
      return null;
    }
    if (row.status !== 'sending') {
      count(row.status);
      return null;
    }
    try {
      const status = await transmit(ctx, row);
      count(status);
      return status === 'sent' ? row.id : null;
    } catch (e) {
      failure ??= e;
      count('pending');
      return null;
    }
  };
  const again = async (row: (typeof earlier)[number]) => {
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
  // time limit even on a slow SMTP server. Each copy is claimed (pending -> sending) only once a
  // connection is free for it, so a worker that dies leaves in doubt (`sending`, later unconfirmed)
  // only the copies it was handing to the SMTP server; those it had not begun are still `pending`, and
  // the retry sends them. Claims made at the same moment share a statement (claims.ts); a group's
  // accepted copies are recorded together.
  const claimAndSend = (row: (typeof created)[number]) =>
    row.status !== 'pending'
      ? fresh(row)
      : ctx.mailer.whenFree(async () => {
          const mine = await claimFresh(ctx.db, row.id);
          // Claimed by another attempt (the mail sweep) in the moment between: it is that attempt's to send.
          if (!mine) count('sending');
          return mine ? fresh(mine) : null;
        });
  const { connections } = ctx.mailer;
  for (let i = 0; i < created.length; i += connections) {
    const sent = await Promise.all(created.slice(i, i + connections).map(claimAndSend));
    await markSent(
      ctx.db,
      sent.filter((id): id is string => id !== null),
    );
  }
  for (let i = 0; i < earlier.length; i += connections) await Promise.all(earlier.slice(i, i + connections).map(again));
  if (failure) throw failure;
  return result;
}

/**
 * One person's copy of a notice, rendered in their zone with their own link: sent at once, held
 * over their quiet hours or for their digest, or recorded as bounced if their address bounces.
 */
function copyFor(
  ctx: MailContext,
  n: Notice,
  { person, membership }: Recipient,
  idempotencyKey: string,
  link: string,
): Prisma.EmailOutboxCreateManyInput {
  const optional = OPTIONAL_TEMPLATES.has(n.template);
  const prefs = { ...person, timeZone: person.timeZone ?? n.about.timeZone };
  const inDigest = optional && !n.urgent && person.mailDelivery === 'daily_digest';
  const sendAfter = n.urgent ? null : inDigest ? nextDigestAt(n.dueAt, prefs) : quietHoursEnd(n.dueAt, prefs);
  const unsubscribeUrl = optional && membership ? `${ctx.publicUrl}/unsubscribe/${membership.unsubscribeToken}` : null;
  const rendered = n.render(prefs.timeZone, link, person);
  // A digest gathers several copies into one message, which can have one reply address only: none.
  const asks = ctx.replyDomain && !inDigest ? (n.replyFor?.(person) ?? null) : null;
  const message = asks ? { ...rendered, blocks: [...rendered.blocks, ...replyHint(asks.kind)] } : rendered;
  // A digest item gets its footer from the digest that carries it.
  const body = renderMail(message, inDigest ? undefined : { timeZone: prefs.timeZone, unsubscribeUrl, partnershipName: n.about.name });
  const bounced = bounceNote(person, person.email);
  const status: EmailStatus = bounced ? 'bounced' : sendAfter === null ? 'pending' : 'held';
  return {
    id: randomUUID(),
    idempotencyKey,
    messageKey: n.messageKey,
    partnershipId: n.about.id,
    personId: person.id,
    template: n.template,
    recipient: person.email,
    ...body,
    message: message as unknown as Prisma.InputJsonObject,
    ics: n.calendar ?? null,
    unsubscribeUrl,
    ...(asks && ctx.replyDomain && { replyTo: newReplyAddress(ctx.replyDomain), replyKind: asks.kind, replySubjectId: asks.id }),
    status,
    lastError: bounced,
    inDigest,
    sendAfter: sendAfter === null ? null : new Date(sendAfter),
    providerMessageId: messageIdOf(idempotencyKey),
    dueAt: new Date(n.dueAt),
  };
}

/**
 * A person's held mail that is due at `now`: messages held over quiet hours go out one by one,
 * digest items together as one message. Returns when the next held message is due, or null.
 */
export async function deliverHeld(ctx: MailContext, personId: string, now: number): Promise<number | null> {
  const { db } = ctx;
  const held = await db.emailOutbox.findMany({
    where: { personId, status: 'held', sendAfter: { lte: new Date(now) } },
    orderBy: [{ dueAt: 'asc' }, { createdAt: 'asc' }],
  });
  // What no longer applies is dropped, and of several about one thing only the latest goes out.
  const latest = new Map<string, (typeof held)[number]>();
  const dropped: string[] = [];
  for (const row of held) {
    if (!(await stillApplies(db, row, new Date(now)))) {
      dropped.push(row.id);
      continue;
    }
    const earlier = latest.get(aboutOf(row.messageKey));
    if (earlier) dropped.push(earlier.id);
    latest.set(aboutOf(row.messageKey), row);
  }
  if (dropped.length) {
    await db.emailOutbox.updateMany({
      where: { id: { in: dropped }, status: 'held' },
      data: { status: 'dropped', lastError: 'no longer applied when it was due to go out' },
    });
  }
  const due = held.filter((r) => !dropped.includes(r.id));
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
    const mail = renderMail(
      digest({
        at: now,
        timeZone,
        items: items.map((i) => ({
          // A copy recorded before messages were kept as data is gathered by its text.
          message: (i.message as unknown as Message | null) ?? { subject: i.subject, blocks: i.text.split(/\n{2,}/).map((t) => p(t)) },
          unsubscribeUrl: i.unsubscribeUrl,
        })),
      }),
      { timeZone, unsubscribeUrl: null },
    );
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
          providerMessageId: messageIdOf(digestKey),
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

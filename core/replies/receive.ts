import { createHash } from 'node:crypto';
import { authenticate } from 'mailauth';
import { type ParsedMail, simpleParser } from 'mailparser';
import type { EmailOutbox, Person } from '../../generated/prisma/client.js';
import { type Db, isUniqueViolation } from '../../lib/db/client.js';
import { TandemError } from '../../lib/errors.js';
import { completeCommitment, extendCommitment, extendEvidenceRequest, submitEvidence } from '../deadlines/commands.js';
import { recordEvent } from '../events.js';
import { recordBounce } from '../mail/outbox.js';
import { bouncedCopyIn, invitedReviewIn, REPLY_ANSWER_TEMPLATE, replyAddressIn } from '../mail/reply-to.js';
import { requestMail } from '../mail/send.js';
import { replyAnswer } from '../mail/templates.js';
import { pages } from '../pages.js';
import { type PersonPrincipal, personPrincipal } from '../people/principal.js';
import { taskLinks } from '../people/task-links.js';
import { tellPerson } from '../people/tell.js';
import { saveReflection } from '../reflections/commands.js';
import { readCalendarReply, recordAttendance } from './attendance.js';
import type { Envelope, ReplyDeps } from './deps.js';

export type { Envelope, ReplyDeps };

import { isAutomatic, readDeadlineReply, readDeliveryReport, readReflection, visibleText } from './read.js';

/**
 * Answers by reply: a message sent to a copy's reply address (core/mail/reply-to.ts), by Tandem's SMTP
 * listener or the inbound HTTP endpoint, both through `receiveReply`. A reply acts only when its
 * address is known, its From is the copy's recipient and its mail passes DMARC (an aligned SPF or
 * DKIM pass, checked by mailauth); then it does what the page would, as that person, through the same
 * commands (one door), recorded "by email". Automatic mail is ignored; anything else is answered, to
 * the copy's recipient only, saying what was done or why nothing was.
 */

export type ReplyOutcome = 'acted' | 'refused' | 'ignored' | 'not_understood' | 'duplicate' | 'bounce';

export interface ReplyResult {
  outcome: ReplyOutcome;
  reason: string;
}

/** A reply address is good for this long after its copy was written, whatever it asks about. */
const REPLY_ADDRESS_LIFETIME_MS = 120 * 86_400_000;

/** What is kept of a field of the message: PostgreSQL text holds no NUL, and a record has its bounds. */
const clip = (s: string, n = 10_000) => {
  const kept = s.replaceAll('\u0000', '');
  return kept.length > n ? kept.slice(0, n) : kept;
};

export async function receiveReply(deps: ReplyDeps, raw: Buffer, envelope: Envelope): Promise<ReplyResult> {
  const mail = await simpleParser(raw);
  const subject = mail.subject ?? '';
  const from = (mail.from?.value[0]?.address ?? '').toLowerCase();
  // Keyed by its sender too: a message with a guessed Message-ID from elsewhere cannot block a real reply.
  const messageKey = mail.messageId ? `${from}:${mail.messageId}` : `sha256:${createHash('sha256').update(raw).digest('hex')}`;
  const recipients = [...envelope.rcptTo, ...addressesOf(mail.to), ...addressesOf(mail.cc)];
  const address = replyAddressIn(recipients, deps.replyDomain);
  const bounced = bouncedCopyIn(recipients, deps.replyDomain);
  const invited = address ? null : invitedReviewIn(recipients, deps.replyDomain);
  const copy = address
    ? await deps.db.emailOutbox.findUnique({ where: { replyTo: address }, include: { person: true } })
    : bounced
      ? await deps.db.emailOutbox.findUnique({ where: { id: bounced }, include: { person: true } })
      : null;
  // Claimed first: the same reply delivered twice, or by both doors at once, acts once.
  let record: { id: string };
  try {
    record = await deps.db.inboundReply.create({
      data: {
        messageKey: clip(messageKey, 998),
        outboxId: copy?.id ?? null,
        partnershipId: copy?.partnershipId ?? null,
        personId: copy?.personId ?? null,
        fromAddress: clip(from, 320),
        subject: clip(subject, 998),
        text: '',
        outcome: 'received',
        reason: '',
      },
    });
  } catch (e) {
    if (isUniqueViolation(e)) return { outcome: 'duplicate', reason: 'this message was received before' };
    throw e;
  }
  let result: Decision;
  try {
    result = invited
      ? await attendance(deps, { raw, mail, from, envelope }, invited)
      : bounced && !address
        ? await bounce(deps, mail, copy)
        : await decide(deps, { raw, mail, subject, from, envelope, copy, address });
    await deps.db.inboundReply.update({
      where: { id: record.id },
      data: { outcome: result.outcome, reason: clip(result.reason, 2000), text: clip(result.text ?? '') },
    });
  } catch (e) {
    // Nothing was decided (the database or Temporal failed): the claim is let go, so that the
    // sending server's retry (the listener answers 451) or the provider's is read afresh.
    await deps.db.inboundReply.deleteMany({ where: { id: record.id, outcome: 'received' } }).catch(() => {});
    throw e;
  }
  // The reply is decided and recorded; an answer that cannot go now stays in the outbox, listed there.
  if (result.answer && copy?.person) {
    await answer(deps, copy, copy.person, record.id, result).catch((err) =>
      deps.logger.warn({ err, reply: record.id }, 'could not send the answer to a reply'),
    );
  }
  if (result.outcome === 'not_understood' && copy?.partnershipId) {
    await recordEvent(deps.db, copy.partnershipId, `reply:${record.id}:not-understood`, 'reply.not_understood', {
      replyId: record.id,
      personId: copy.personId,
    });
  }
  deps.logger.info({ outcome: result.outcome, reason: result.reason, copy: copy?.id }, 'reply received');
  return { outcome: result.outcome, reason: result.reason };
}

type Copy = EmailOutbox & { person: Person | null };

interface Decision extends ReplyResult {
  text?: string;
  /** Whether to tell the copy's recipient (never for automatic mail or an unknown address). */
  answer: boolean;
  note?: string;
}

/**
 * A delivery status notification that came back to a copy's bounce address (core/mail/reply-to.ts):
 * a failure marks the copy bounced, and its recipient's address, as a refusal during the send does.
 */
async function bounce(deps: ReplyDeps, mail: ParsedMail, copy: Copy | null): Promise<Decision> {
  if (!copy) return { outcome: 'refused', reason: 'the bounce address is not one Tandem gave', answer: false };
  const report = readDeliveryReport(mail.headers, mail.text ?? '');
  if (!report) return { outcome: 'ignored', reason: 'mail to a bounce address that is not a delivery report', answer: false };
  if (report.action !== 'failed') return { outcome: 'ignored', reason: `a delivery report saying "${report.action}"`, answer: false };
  const why = `the receiving server reported it undeliverable later (${report.status}): ${report.diagnostic}`;
  if (copy.status === 'sent' || copy.status === 'unconfirmed') await recordBounce(deps.db, copy, why);
  return { outcome: 'bounce', reason: why, answer: false };
}

async function decide(
  deps: ReplyDeps,
  m: { raw: Buffer; mail: ParsedMail; subject: string; from: string; envelope: Envelope; copy: Copy | null; address: string | null },
): Promise<Decision> {
  if (isAutomatic(m.mail.headers, m.subject))
    return { outcome: 'ignored', reason: 'an automatic message (out of office, mailing list)', answer: false };
  if (!m.address) return { outcome: 'refused', reason: 'not sent to a reply address', answer: false };
  const { copy } = m;
  if (!copy?.person || !copy.replyKind || !copy.replySubjectId || !copy.partnershipId) {
    return { outcome: 'refused', reason: 'the reply address is not one Tandem gave', answer: false };
  }
  const refuse = (reason: string): Decision => ({ outcome: 'refused', reason, answer: true });
  if (m.from !== copy.recipient.toLowerCase()) {
    return refuse(`it came from ${m.from || 'no address'}, not from ${copy.recipient}, the address the message went to.`);
  }
  const dmarc = await dmarcOf(deps, m.raw, m.envelope);
  if (dmarc !== 'pass') return refuse(`your mail server's proof that it came from ${copy.recipient} did not hold (DMARC: ${dmarc}).`);
  if (Date.now() - copy.createdAt.getTime() > REPLY_ADDRESS_LIFETIME_MS)
    return refuse('the message you replied to is too old to answer by mail.');
  const principal = await personPrincipal(deps.db, copy.person.id);
  if (!principal) return refuse('your account no longer exists.');
  const me: PersonPrincipal = { ...principal, via: 'email' };
  const text = visibleText(m.mail.text ?? '');
  try {
    return {
      ...(await act(deps, me, copy as Copy & { replyKind: string; replySubjectId: string; partnershipId: string }, text, m.mail)),
      text,
    };
  } catch (e) {
    // What the page would have refused (closed, out of range, not theirs) is refused here alike; a
    // dependency that is down (5xx) is not a refusal: the reply is taken again later.
    if (e instanceof TandemError && e.status < 500) return { ...refuse(`${e.message.replace(/\.?$/, '.')}`), text };
    throw e;
  }
}

async function act(
  deps: ReplyDeps,
  me: PersonPrincipal,
  copy: Copy & { replyKind: string; replySubjectId: string; partnershipId: string },
  text: string,
  mail: ParsedMail,
): Promise<Decision> {
  const id = copy.replySubjectId;
  if (copy.replyKind === 'reflection') {
    if (!text) return notUnderstood('the reply was empty.');
    const r = readReflection(text);
    const earlier = await deps.db.reflection.findUnique({ where: { reviewId_personId: { reviewId: id, personId: me.id } } });
    const blank = '(not given in the reply by email)';
    await saveReflection(deps, me, id, {
      whatWorked: r.whatWorked || earlier?.whatWorked || blank,
      whatDidnt: r.whatDidnt || earlier?.whatDidnt || blank,
      howToImprove: r.howToImprove || earlier?.howToImprove || blank,
    });
    return {
      outcome: 'acted',
      reason: 'your reflection was saved.',
      answer: true,
      ...(!r.sectioned && {
        note: 'Your reply had none of the three headings, so all of it was kept as what worked. Add what did not work and how to improve on the page.',
      }),
    };
  }
  const partnership = await deps.db.partnership.findUniqueOrThrow({ where: { id: copy.partnershipId }, select: { timeZone: true } });
  const deadline =
    copy.replyKind === 'commitment'
      ? await deps.db.commitment.findUniqueOrThrow({ where: { id }, select: { dueAt: true } })
      : await deps.db.evidenceRequest.findUniqueOrThrow({ where: { id }, select: { dueAt: true } });
  const said = readDeadlineReply(text, { timeZone: partnership.timeZone, dueAt: deadline.dueAt.getTime(), now: Date.now() });
  const reason = (r: string) => r || 'asked by replying to an email';
  if (said?.kind === 'unclear-date')
    return notUnderstood(`"${said.said}" is not a date Tandem can read; write it as "March 3" or "2027-03-03".`);
  if (said?.kind === 'extend') {
    const body = { dueAt: new Date(said.dueAt).toISOString(), reason: reason(said.reason) };
    if (copy.replyKind === 'commitment') await extendCommitment(deps, me, id, body);
    else await extendEvidenceRequest(deps, me, id, body);
    return { outcome: 'acted', reason: `the due date was moved to ${body.dueAt.slice(0, 10)}.`, answer: true };
  }
  if (copy.replyKind === 'commitment') {
    if (said?.kind !== 'done') return notUnderstood('it says neither "done" nor "need until" a date.');
    await completeCommitment(deps, me, id, said.note ? { note: said.note } : {});
    return { outcome: 'acted', reason: 'the commitment was marked done.', answer: true };
  }
  const files = mail.attachments.filter((a) => a.contentDisposition === 'attachment' && !a.contentType.startsWith('text/calendar'));
  if (files.length === 0) return notUnderstood('it has no evidence attached and does not say "need until" a date.');
  for (const [i, f] of files.entries()) {
    await submitEvidence(deps, me, id, {
      kind: 'other',
      ...(i === 0 && text && { text: clip(text, 20_000) }),
      file: { filename: f.filename ?? 'evidence', declaredType: f.contentType, data: f.content },
    });
  }
  return {
    outcome: 'acted',
    reason: `${files.length === 1 ? 'the attached file was' : `the ${files.length} attached files were`} submitted as evidence.`,
    answer: true,
  };
}

const notUnderstood = (reason: string): Decision => ({
  outcome: 'not_understood',
  reason: `Tandem could not tell what to do with it: ${reason} The partnership's leads can see it.`,
  answer: true,
});

/**
 * The From domain's DMARC result: `pass` when an SPF or DKIM pass is aligned with it. The SMTP
 * session's client stands for SPF; without one (the HTTP door) the newest Received header does.
 */
async function dmarcOf(deps: ReplyDeps, raw: Buffer, envelope: Envelope): Promise<string> {
  const auth = await authenticate(raw, {
    ...(envelope.ip ? { ip: envelope.ip, helo: envelope.helo, sender: envelope.mailFrom } : { trustReceived: true }),
    ...(deps.resolver && { resolver: deps.resolver }),
    disableArc: true,
    disableBimi: true,
  });
  return auth.dmarc ? auth.dmarc.status.result : 'no author domain';
}

/**
 * A calendar app's answer to a review's invitation (./attendance.ts), from the attendee's own address,
 * passing DMARC. Calendar answers are not answered by mail.
 */
async function attendance(
  deps: ReplyDeps,
  m: { raw: Buffer; mail: ParsedMail; from: string; envelope: Envelope },
  reviewId: string,
): Promise<Decision> {
  const answer = readCalendarReply(m.mail.attachments);
  if (!answer) return { outcome: 'ignored', reason: 'mail to an invitation address without a calendar answer', answer: false };
  const dmarc = await dmarcOf(deps, m.raw, m.envelope);
  if (dmarc !== 'pass') return { outcome: 'refused', reason: `DMARC: ${dmarc}`, answer: false };
  const done = await recordAttendance(deps, reviewId, m.from, answer);
  return { outcome: done.recorded ? 'acted' : 'refused', reason: done.reason, answer: false };
}

function addressesOf(a: ParsedMail['to']): string[] {
  const list = Array.isArray(a) ? a : a ? [a] : [];
  return list.flatMap((x) => x.value.map((v) => v.address ?? '')).filter(Boolean);
}

/** The page of what the copy asked about, with a link that acts on it as its recipient. */
function targetOf(copy: Copy): string {
  const pid = copy.partnershipId as string;
  const id = copy.replySubjectId as string;
  if (copy.replyKind === 'reflection') return pages.reflection(pid, id);
  return copy.replyKind === 'commitment' ? pages.commitment(pid, id) : pages.evidence(pid, id);
}

async function answer(deps: ReplyDeps, copy: Copy, person: Person, replyId: string, d: Decision) {
  const link = taskLinks(deps.db, { publicUrl: deps.publicUrl, ...deps.taskLinks });
  await tellPerson(requestMail(deps, link), person, {
    messageKey: `reply:${replyId}:answer`,
    template: REPLY_ANSWER_TEMPLATE,
    target: targetOf(copy),
    render: (_timeZone, href) =>
      replyAnswer({ repliedTo: copy.subject, done: d.outcome === 'acted', said: d.reason, note: d.note, link: href }),
  });
}

/** For the partnership's page: replies its leads should read, newest first. */
export function repliesNotUnderstood(db: Db, partnershipId: string) {
  return db.inboundReply.findMany({
    where: { partnershipId, outcome: 'not_understood' },
    orderBy: { receivedAt: 'desc' },
    take: 20,
    include: { person: { select: { name: true } } },
  });
}

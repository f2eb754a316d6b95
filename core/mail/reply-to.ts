import { randomBytes } from 'node:crypto';
import { type Block, p, small, strong } from './message.js';

/**
 * The reply address of a copy that asks for something (answers by reply, core/replies/): each copy
 * gets its own, `reply+<token>@<MAIL_REPLY_DOMAIN>`, the token 128 random bits in lower-case base32
 * (a relay may fold the case of a local part). The address is the copy's key: whoever replies to it
 * answers that copy's question, as that copy's recipient, once their mail passes DMARC.
 */

/** The template of Tandem's answer to a reply, which goes out marked as an automatic one (RFC 3834). */
export const REPLY_ANSWER_TEMPLATE = 'reply-answer';

/** What a reply can answer: a reflection (the subject is the review), a commitment, an evidence request. */
export type ReplyKind = 'reflection' | 'commitment' | 'evidence';

export interface ReplySubject {
  kind: ReplyKind;
  id: string;
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

export const newReplyAddress = (domain: string) => `reply+${base32(randomBytes(16))}@${domain.toLowerCase()}`;

/** The reply address among a message's recipients (its token part as Tandem wrote it), or null. */
export function replyAddressIn(addresses: readonly string[], domain: string): string | null {
  const suffix = `@${domain.toLowerCase()}`;
  for (const a of addresses) {
    const address = a.trim().toLowerCase();
    if (address.endsWith(suffix) && /^reply\+[a-z2-7]{26}@/.test(address)) return address;
  }
  return null;
}

/**
 * The envelope sender of a copy (its Return-Path) when MAIL_REPLY_DOMAIN is set: a delivery status
 * notification that comes back later (RFC 3464) names the copy it is about by the address it reaches,
 * whatever the reporting server quotes of the original. The copy's id is random, so a forged report
 * cannot name another copy.
 */
export const bounceAddress = (copyId: string, domain: string) => `bounce+${copyId.replaceAll('-', '')}@${domain.toLowerCase()}`;

/** The copy id of the bounce address among a message's recipients, or null. */
export const bouncedCopyIn = (addresses: readonly string[], domain: string) => idIn(addresses, domain, 'bounce');

function idIn(addresses: readonly string[], domain: string, tag: 'bounce' | 'invite'): string | null {
  const suffix = `@${domain.toLowerCase()}`;
  for (const a of addresses) {
    const m = new RegExp(`^${tag}\\+([0-9a-f]{32})@`).exec(a.trim().toLowerCase());
    if (m && a.trim().toLowerCase().endsWith(suffix)) {
      const h = m[1] as string;
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    }
  }
  return null;
}

/**
 * The organizer of a review's invitation when MAIL_REPLY_DOMAIN is set: calendar apps send their
 * iTIP REPLY (accepted, declined, tentative) there. Not a secret: a reply counts only from the
 * attendee's own address, passing DMARC.
 */
export const inviteAddress = (reviewId: string, domain: string) => `invite+${reviewId.replaceAll('-', '')}@${domain.toLowerCase()}`;

/** The review id of the invitation address among a message's recipients, or null. */
export const invitedReviewIn = (addresses: readonly string[], domain: string) => idIn(addresses, domain, 'invite');

/** What the copy says about answering by reply, under what it asks. */
export function replyHint(kind: ReplyKind): Block[] {
  if (kind === 'reflection') {
    return [
      p(strong('You can answer by replying to this email.'), ' Write under these three lines, each on a line of its own:'),
      p('What worked:'),
      p("What didn't:"),
      p('How to improve:'),
      small('A reply without them is kept as what worked; you can edit it on the page until the window closes.'),
    ];
  }
  const label = kind === 'commitment' ? 'commitment' : 'evidence request';
  return [
    p(
      strong('You can answer by replying to this email.'),
      kind === 'commitment'
        ? ' Write "done" (and a note after it, if you like) to mark it done, or "need until" and a date (for example "need until March 3, we are waiting for the survey") to ask for more time.'
        : ' Attach the evidence to your reply to submit it (with a line about it), or write "need until" and a date (for example "need until March 3, the data comes Friday") to ask for more time.',
    ),
    small(`Only a reply from your own address is taken, and only while the ${label} is open.`),
  ];
}

import * as chrono from 'chrono-node';
import EmailReplyParser from 'email-reply-parser';
import { DateTime } from 'luxon';

/**
 * Reading a reply: whether a person wrote it, what they wrote above the quoted message, and what it
 * asks. Pure functions of the message, so each rule is tested without mail servers.
 */

type Headers = ReadonlyMap<string, unknown>;

const header = (h: Headers, name: string) => {
  const v = h.get(name);
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v.toLowerCase();
  if (typeof v === 'object' && 'value' in (v as object)) return String((v as { value: unknown }).value).toLowerCase();
  return String(v).toLowerCase();
};

const AUTOMATIC_SUBJECT =
  /^(auto(matic)? ?(reply|response)|out of (the )?office|absence|abwesenheit|réponse automatique|respuesta automática)\b/i;

/**
 * Mail no person wrote, which Tandem ignores without answering (an answer to an out-of-office starts a
 * loop): RFC 3834 `Auto-Submitted`, the out-of-office headers of Exchange and others, `Precedence`
 * bulk/junk/list, mailing-list headers, and the subjects out-of-office replies carry.
 */
export function isAutomatic(headers: Headers, subject: string): boolean {
  const submitted = header(headers, 'auto-submitted');
  if (submitted && submitted !== 'no') return true;
  if (['x-autoreply', 'x-autorespond', 'x-auto-response-suppress'].some((h) => header(headers, h))) {
    // Outlook also sets X-Auto-Response-Suppress on ordinary mail it sends with OOF off; only "all"/"oof" mark its own replies.
    const suppress = header(headers, 'x-auto-response-suppress');
    if (header(headers, 'x-autoreply') || header(headers, 'x-autorespond') || /\b(all|oof)\b/.test(suppress)) return true;
  }
  if (['bulk', 'junk', 'list', 'auto_reply'].includes(header(headers, 'precedence'))) return true;
  if (header(headers, 'list-id') || header(headers, 'list-unsubscribe')) return true;
  return AUTOMATIC_SUBJECT.test(subject.trim());
}

/** What the person wrote, without the message they reply to, signatures or quoted lines. */
export function visibleText(text: string): string {
  return new EmailReplyParser().read(text.replace(/\r\n/g, '\n')).getVisibleText().trim();
}

export interface ReflectionReply {
  whatWorked: string;
  whatDidnt: string;
  howToImprove: string;
  /** False when the reply had none of the three headings: its text is what worked. */
  sectioned: boolean;
}

const SECTIONS: [keyof Omit<ReflectionReply, 'sectioned'>, RegExp][] = [
  ['whatWorked', /^\s*\**\s*what\s+worked\s*\??\s*\**\s*[:?-]?\s*(.*)$/i],
  ['whatDidnt', /^\s*\**\s*what\s+(didn[’']?t|did\s+not)(\s+work)?\s*\??\s*\**\s*[:?-]?\s*(.*)$/i],
  ['howToImprove', /^\s*\**\s*how\s+(to|could\s+it\s+be|can\s+we)\s+improve(d)?\s*\??\s*\**\s*[:?-]?\s*(.*)$/i],
];

/** A reflection from a reply: the text under each of the three headings (as the prompt shows them). */
export function readReflection(text: string): ReflectionReply {
  const found: Partial<Record<keyof Omit<ReflectionReply, 'sectioned'>, string[]>> = {};
  let current: keyof Omit<ReflectionReply, 'sectioned'> | null = null;
  for (const line of text.split('\n')) {
    const section = SECTIONS.find(([, re]) => re.test(line));
    if (section) {
      current = section[0];
      const match = section[1].exec(line) as RegExpExecArray;
      found[current] = [match[match.length - 1] ?? ''];
    } else if (current) {
      found[current]?.push(line);
    }
  }
  const get = (k: keyof typeof found) => (found[k] ?? []).join('\n').trim();
  if (!current) return { whatWorked: text.trim(), whatDidnt: '', howToImprove: '', sectioned: false };
  return { whatWorked: get('whatWorked'), whatDidnt: get('whatDidnt'), howToImprove: get('howToImprove'), sectioned: true };
}

export type DeadlineReply =
  | { kind: 'done'; note: string }
  | { kind: 'extend'; dueAt: number; reason: string }
  | { kind: 'unclear-date'; said: string };

/**
 * A commitment's or evidence request's answer: "done" (and a note), or "need until <date>" (and a
 * reason). The date is read in the partnership's zone, the next such date from `now` ("March 3" in
 * December is next March), and keeps the time of day the deadline had. Null: neither.
 */
export function readDeadlineReply(text: string, opts: { timeZone: string; dueAt: number; now: number }): DeadlineReply | null {
  const done = /^\s*(done|completed?|finished)\b[\s.,:;!-]*([\s\S]*)$/i.exec(text);
  if (done) return { kind: 'done', note: (done[2] ?? '').trim() };
  const need = /^\s*(?:i\s+|we\s+)?need(?:s|ed)?\s+(?:more\s+time\s+|an?\s+extension\s+)?until\s+([\s\S]*)$/i.exec(text);
  if (!need) return null;
  const rest = need[1] as string;
  const now = DateTime.fromMillis(opts.now, { zone: opts.timeZone });
  const [found] = chrono.parse(rest, { instant: new Date(opts.now), timezone: now.offset }, { forwardDate: true });
  if (!found || found.index > 3) return { kind: 'unclear-date', said: rest.split('\n')[0]?.slice(0, 80) ?? '' };
  const due = DateTime.fromMillis(opts.dueAt, { zone: opts.timeZone });
  const day = DateTime.fromObject(
    {
      year: found.start.get('year') ?? now.year,
      month: found.start.get('month') ?? now.month,
      day: found.start.get('day') ?? now.day,
      hour: due.hour,
      minute: due.minute,
      second: due.second,
      millisecond: due.millisecond,
    },
    { zone: opts.timeZone },
  );
  const reason = rest
    .slice(found.index + found.text.length)
    .replace(/^[\s.,:;!-]+/, '')
    .trim();
  return { kind: 'extend', dueAt: day.toMillis(), reason };
}

export interface DeliveryReport {
  /** failed: the address was refused for good; delayed, delivered, relayed, expanded: nothing to do. */
  action: string;
  status: string;
  diagnostic: string;
}

/**
 * The first recipient's fields of a delivery status notification (RFC 3464: a `multipart/report` of
 * report-type delivery-status), or null when the message is not one. The mail parser gives the
 * `message/delivery-status` part as text, after the human-readable part.
 */
export function readDeliveryReport(headers: Headers, body: string): DeliveryReport | null {
  const type = headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  if (type?.value?.toLowerCase() !== 'multipart/report' || type.params?.['report-type']?.toLowerCase() !== 'delivery-status') return null;
  // Per-message fields, a blank line, then one block per recipient; fields may be folded.
  const text = body.replace(/\r\n/g, '\n').replace(/\n[ \t]+/g, ' ');
  const blocks = text.split(/\n\s*\n/).filter((b) => /^action:/im.test(b));
  const first = blocks[0];
  if (!first) return null;
  const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(first)?.[1]?.trim() ?? '';
  return {
    action: field('Action').toLowerCase(),
    status: field('Status'),
    diagnostic: field('Diagnostic-Code').replace(/^smtp;\s*/i, ''),
  };
}

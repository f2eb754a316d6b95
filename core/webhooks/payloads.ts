import type { KnownBlock } from '@slack/types';
import { Webhook } from 'standardwebhooks';
import type { Db } from '../../lib/db/client.js';
import { formatLocalTime } from '../mail/templates.js';
import { pages } from '../pages.js';
import { publicEventData, type WebhookEventType } from './events.js';

/**
 * What a delivery sends, in its subscription's format:
 * - standard: the Standard Webhooks shape `{ type, timestamp, data }`, signed (webhook-id, -timestamp,
 *   -signature headers); `data` holds ids, times and the page's link, never addresses;
 * - slack: an incoming webhook's message (text, with blocks and a button to the page);
 * - teams: a Microsoft Teams workflow webhook's message (one Adaptive Card, a button to the page).
 * The readable sentence is the same for Slack and Teams, its times in the partnership's zone.
 */

export type WebhookFormat = 'standard' | 'slack' | 'teams';

/** What a delivery is about, as loaded for its message. */
export interface DeliveryFacts {
  deliveryId: string;
  type: WebhookEventType;
  /** The timeline event's own type and data. */
  eventType: string;
  eventData: Record<string, unknown>;
  eventId: bigint;
  occurredAt: Date;
  partnership: { id: string; name: string; timeZone: string };
  /** The commitment, evidence request, review or inquiry cycle it is about, when it is about one. */
  subject: { kind: 'commitment' | 'evidence' | 'review' | 'inquiry'; id: string; title: string; dueAt: Date | null } | null;
  actorName: string | null;
}

/** Loads what a delivery's message says. */
export async function deliveryFacts(db: Db, deliveryId: string): Promise<DeliveryFacts | null> {
  const d = await db.webhookDelivery.findUnique({
    where: { id: deliveryId },
    include: { event: { include: { partnership: { select: { id: true, name: true, timeZone: true } } } } },
  });
  if (!d) return null;
  const data = (d.event.data ?? {}) as Record<string, unknown>;
  const id = (k: string) => (typeof data[k] === 'string' ? (data[k] as string) : null);
  let subject: DeliveryFacts['subject'] = null;
  const commitmentId = id('commitmentId');
  const requestId = id('requestId');
  const reviewId = id('reviewId');
  const cycleId = id('cycleId');
  if (commitmentId) {
    const c = await db.commitment.findUnique({ where: { id: commitmentId }, select: { description: true, dueAt: true } });
    if (c) subject = { kind: 'commitment', id: commitmentId, title: c.description, dueAt: c.dueAt };
  } else if (requestId) {
    const r = await db.evidenceRequest.findUnique({ where: { id: requestId }, select: { description: true, dueAt: true } });
    if (r) subject = { kind: 'evidence', id: requestId, title: r.description, dueAt: r.dueAt };
  } else if (reviewId) {
    const r = await db.review.findUnique({ where: { id: reviewId }, select: { sequence: true, scheduledAt: true } });
    if (r) subject = { kind: 'review', id: reviewId, title: `Review #${r.sequence}`, dueAt: r.scheduledAt };
  } else if (cycleId) {
    const c = await db.inquiryCycle.findUnique({ where: { id: cycleId }, select: { number: true } });
    if (c) subject = { kind: 'inquiry', id: cycleId, title: `Inquiry cycle ${c.number}`, dueAt: null };
  }
  return {
    deliveryId: d.id,
    type: d.type as WebhookEventType,
    eventType: d.event.type,
    eventData: data,
    eventId: d.event.id,
    occurredAt: d.event.occurredAt,
    partnership: d.event.partnership,
    subject,
    actorName: d.event.actorName,
  };
}

/** The page a delivery's button opens. */
export function pageOf(f: DeliveryFacts, publicUrl: string): string {
  const pid = f.partnership.id;
  const s = f.subject;
  const path = !s
    ? pages.partnership(pid)
    : s.kind === 'commitment'
      ? pages.commitment(pid, s.id)
      : s.kind === 'evidence'
        ? pages.evidence(pid, s.id)
        : s.kind === 'review'
          ? pages.review(pid, s.id)
          : pages.inquiryCycle(pid, s.id);
  return new URL(path, publicUrl).toString();
}

const WHAT: Record<WebhookEventType, string> = {
  'commitment.overdue': 'is overdue',
  'commitment.escalated': 'is overdue and was escalated',
  'commitment.completed': 'was completed',
  'evidence.overdue': 'is overdue',
  'evidence.escalated': 'is overdue and was escalated',
  'evidence.submitted': 'was submitted',
  'review.scheduled': 'was scheduled',
  'review.rescheduled': 'was moved',
  'review.held': 'was held',
  'review.missed': 'was missed: no outcome was recorded',
  'reflection.summary': 'closed its reflections',
  'partnership.paused': 'was paused',
  'partnership.resumed': 'was resumed',
  'partnership.ended': 'ended',
  'inquiry.phase_recorded': 'recorded a phase',
};

/** One readable sentence (no markup) and a title, for chat messages. */
export function sentence(f: DeliveryFacts): { title: string; text: string } {
  const zone = f.partnership.timeZone;
  const s = f.subject;
  const what = s
    ? `${s.kind === 'commitment' ? 'Commitment' : s.kind === 'evidence' ? 'Evidence request' : s.title} "${s.kind === 'commitment' || s.kind === 'evidence' ? s.title : f.partnership.name}"`
    : `Partnership "${f.partnership.name}"`;
  const when =
    s?.dueAt && (s.kind === 'commitment' || s.kind === 'evidence')
      ? ` (due ${formatLocalTime(s.dueAt.getTime(), zone)})`
      : s?.dueAt && s.kind === 'review'
        ? ` (${formatLocalTime(s.dueAt.getTime(), zone)})`
        : '';
  const counts =
    f.type === 'reflection.summary' ? `: ${Number(f.eventData.answered ?? 0)} answered, ${Number(f.eventData.missing ?? 0)} missing` : '';
  const by = f.actorName ? `, by ${f.actorName}` : '';
  const where = s && (s.kind === 'commitment' || s.kind === 'evidence') ? ` in ${f.partnership.name}` : '';
  return { title: `${f.partnership.name}: ${f.type}`, text: `${what}${where} ${WHAT[f.type]}${when}${counts}${by}.` };
}

/** The Standard Webhooks payload. */
export function standardPayload(f: DeliveryFacts, publicUrl: string) {
  return {
    type: f.type,
    timestamp: f.occurredAt.toISOString(),
    data: {
      eventId: f.eventId.toString(),
      partnership: { id: f.partnership.id, name: f.partnership.name },
      ...(f.subject && {
        subject: { kind: f.subject.kind, id: f.subject.id, title: f.subject.title, dueAt: f.subject.dueAt?.toISOString() ?? null },
      }),
      ...publicEventData(f.eventType, f.eventData),
      ...(f.actorName && { by: f.actorName }),
      link: pageOf(f, publicUrl),
    },
  };
}

/** Slack's mrkdwn reserves these three; everything else is literal. */
const slackEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A Slack incoming webhook's message (api.slack.com/messaging/webhooks): `text` for notifications, blocks for the channel. */
export function slackPayload(f: DeliveryFacts, publicUrl: string): { text: string; blocks: KnownBlock[] } {
  const { title, text } = sentence(f);
  const link = pageOf(f, publicUrl);
  return {
    text: slackEscape(text),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: slackEscape(text).slice(0, 3000) } },
      {
        type: 'actions',
        elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in Tandem' }, url: link, action_id: 'open' }],
      },
    ],
  };
}

/** A Teams workflow webhook's message: one Adaptive Card (version 1.4, which Teams renders) with a button to the page. */
export function teamsPayload(f: DeliveryFacts, publicUrl: string) {
  const { title, text } = sentence(f);
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            { type: 'TextBlock', text: title, weight: 'Bolder', size: 'Medium', wrap: true },
            { type: 'TextBlock', text, wrap: true },
          ],
          actions: [{ type: 'Action.OpenUrl', title: 'Open in Tandem', url: pageOf(f, publicUrl) }],
        },
      },
    ],
  };
}

/**
 * The secrets a standard delivery is signed with at `at`: the current one, and the previous one while
 * it still signs, each opened from its sealed form (`open`, lib/auth/sealed.ts).
 */
export function signingSecrets(
  s: { secret: string | null; previousSecret: string | null; previousSecretUntil: Date | null },
  at: number,
  open: (stored: string) => string,
) {
  return [s.secret, s.previousSecretUntil && s.previousSecretUntil.getTime() > at ? s.previousSecret : null]
    .filter((x): x is string => !!x)
    .map(open);
}

/**
 * The request of a delivery: its body and headers. A standard one carries one signature per
 * secret (space-separated, as the specification allows), so a receiver that has either verifies it.
 */
export function deliveryRequest(
  format: WebhookFormat,
  f: DeliveryFacts,
  opts: { publicUrl: string; at: number; secrets: string[] },
): { body: string; headers: Record<string, string> } {
  if (format === 'slack') return { body: JSON.stringify(slackPayload(f, opts.publicUrl)), headers: {} };
  if (format === 'teams') return { body: JSON.stringify(teamsPayload(f, opts.publicUrl)), headers: {} };
  const body = JSON.stringify(standardPayload(f, opts.publicUrl));
  const msgId = `msg_${f.deliveryId}`;
  const when = new Date(opts.at);
  return {
    body,
    headers: {
      'webhook-id': msgId,
      'webhook-timestamp': String(Math.floor(opts.at / 1000)),
      'webhook-signature': opts.secrets.map((s) => new Webhook(s).sign(msgId, when, body)).join(' '),
    },
  };
}

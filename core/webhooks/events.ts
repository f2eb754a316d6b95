/**
 * The events a webhook subscriber may ask for, and which timeline events they are. The timeline
 * (partnership_event) keeps Tandem's own vocabulary, which may change; these names are a public
 * contract (README "Webhooks"), so they are mapped here, in one place, and nothing else leaves.
 */
export const WEBHOOK_EVENT_TYPES = [
  'commitment.overdue',
  'commitment.escalated',
  'commitment.completed',
  'evidence.overdue',
  'evidence.escalated',
  'evidence.submitted',
  'review.scheduled',
  'review.rescheduled',
  'review.held',
  'review.missed',
  'reflection.summary',
  'partnership.paused',
  'partnership.resumed',
  'partnership.ended',
  'inquiry.phase_recorded',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The timeline's event types as the public ones (those not listed are not sent). */
const PUBLIC_TYPE: Record<string, WebhookEventType> = {
  'commitment.overdue': 'commitment.overdue',
  'commitment.escalation_leads': 'commitment.escalated',
  'commitment.escalation_sponsor': 'commitment.escalated',
  'commitment.done': 'commitment.completed',
  'evidence.overdue': 'evidence.overdue',
  'evidence.escalation_leads': 'evidence.escalated',
  'evidence.escalation_sponsor': 'evidence.escalated',
  'evidence.submitted': 'evidence.submitted',
  'review.planned': 'review.scheduled',
  'review.rescheduled': 'review.rescheduled',
  'review.held': 'review.held',
  'review.missed': 'review.missed',
  'review.reflections_closed': 'reflection.summary',
  'partnership.paused': 'partnership.paused',
  'partnership.active': 'partnership.resumed',
  'partnership.completed': 'partnership.ended',
  'partnership.ended_early': 'partnership.ended',
  'inquiry.phase_recorded': 'inquiry.phase_recorded',
};

/**
 * The public type of a timeline event, or null when subscribers are not told of it. An overdue
 * deadline records two events (the status change, then the notice with its recipients): the first
 * one is the public event, so that a subscriber hears of it once and no addresses leave.
 */
export function publicEventType(type: string, data: Record<string, unknown>): WebhookEventType | null {
  if (type.endsWith('.overdue') && 'recipients' in data) return null;
  return PUBLIC_TYPE[type] ?? null;
}

/** What of a timeline event's data a subscriber gets: ids, times and states; never addresses, notes or reasons written by people. */
export function publicEventData(type: string, data: Record<string, unknown>): Record<string, unknown> {
  const keep = [
    'reviewId',
    'commitmentId',
    'requestId',
    'cycleId',
    'phase',
    'sequence',
    'scheduledAt',
    'from',
    'to',
    'answered',
    'missing',
    'late',
  ] as const;
  const out: Record<string, unknown> = {};
  for (const k of keep) if (data[k] !== undefined) out[k] = data[k];
  if (type.includes('.escalation_')) out.escalatedTo = type.endsWith('_sponsor') ? 'sponsor' : 'leads';
  return out;
}

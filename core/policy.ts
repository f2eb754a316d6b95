import { z } from 'zod';
import type { MemberRole } from '../generated/prisma/client.js';
import { isoDurationAtMost } from '../lib/durations.js';
import type { EscalationTarget } from '../workflows/deadlines/messages.js';

/**
 * Every timing default in one place. A partnership overrides the review ones on its record
 * (reminder_offsets, outcome_grace) and the others in its `policy` column; durations are ISO 8601,
 * applied in the partnership's zone.
 */
export const DEFAULT_POLICY = {
  reviewReminders: ['P14D', 'P2D'],
  reviewOutcomeGrace: 'P2D',
  /** After a held review: each member is prompted, reminded after these delays, until the window closes. */
  reflectionReminders: ['P3D', 'P7D'],
  reflectionWindow: 'P14D',
  deadlineReminders: ['P7D', 'P1D'],
  /** After the due time: first the partnership leads, then the executive sponsor. */
  deadlineEscalations: [
    { after: 'P3D', to: 'leads' },
    { after: 'P10D', to: 'sponsor' },
  ],
} as const;

/**
 * Who an overdue commitment or evidence request is escalated to (its owner is told at every stage):
 * the partnership's leads on both sides, then the district's executive sponsor.
 */
export const ESCALATION_ROLES: Record<EscalationTarget, readonly MemberRole[]> = {
  leads: ['district_lead', 'partner_lead'],
  sponsor: ['executive_sponsor'],
};

/**
 * Who among a partnership's members is told of what, besides the person a thing is asked of (a
 * commitment's owner, a member asked to reflect): every member, or the roles named. Escalations
 * read ESCALATION_ROLES above. Every message's recipients are read from here.
 */
export const AUDIENCE = {
  reviewInvitation: 'every member',
  reviewReminder: 'every member',
  lifecycleChange: 'every member',
  inquiryCycleClosed: 'every member',
  reviewMissed: ['executive_sponsor', 'district_lead', 'partner_lead'],
  reflectionSummary: ['district_lead', 'partner_lead'],
  /** Each quarter, once a held review's reflections have closed: the summary for the board is up to date. */
  boardSummary: ['executive_sponsor'],
} as const satisfies Record<string, 'every member' | readonly MemberRole[]>;

/** The members told of `what`, by AUDIENCE. */
export type Audience = keyof typeof AUDIENCE;

export function audienceOf<M extends { role: MemberRole }>(members: readonly M[], what: Audience): M[] {
  const who: 'every member' | readonly MemberRole[] = AUDIENCE[what];
  return who === 'every member' ? [...members] : members.filter((m) => who.includes(m.role));
}

/** What a partnership may override besides its review reminders and grace, which have columns of their own. */
export const policyOverrides = z
  .object({
    reflectionReminders: z.array(isoDurationAtMost('P1Y')).max(10),
    reflectionWindow: isoDurationAtMost('P1Y'),
    deadlineReminders: z.array(isoDurationAtMost('P1Y')).max(10),
    deadlineEscalations: z.array(z.object({ after: isoDurationAtMost('P1Y'), to: z.enum(['leads', 'sponsor']) }).strict()).max(10),
  })
  .partial()
  .strict();

export type PolicyOverrides = z.infer<typeof policyOverrides>;

export interface Policy {
  reviewReminders: readonly string[];
  reviewOutcomeGrace: string;
  reflectionReminders: readonly string[];
  reflectionWindow: string;
  deadlineReminders: readonly string[];
  deadlineEscalations: readonly { after: string; to: EscalationTarget }[];
}

/** The policy a partnership runs on: its own settings over the defaults. */
export function resolvePolicy(p: { reminderOffsets: string[]; outcomeGrace: string; policy: unknown }): Policy {
  // Stored overrides were validated on the way in; a row edited by hand falls back to the defaults.
  const own = policyOverrides.safeParse(p.policy ?? {});
  return {
    ...DEFAULT_POLICY,
    ...(own.success ? own.data : {}),
    reviewReminders: p.reminderOffsets,
    reviewOutcomeGrace: p.outcomeGrace,
  };
}

/**
 * Reminders and mentions in comments are optional: a member may unsubscribe from them
 * (notifications `essential`), and a digest reader gets them gathered once a day. Invitations, prompts, overdue notices, escalations,
 * summaries and lifecycle notices always go out on their own.
 */
export const OPTIONAL_TEMPLATES: ReadonlySet<string> = new Set([
  'review-reminder',
  'reflection-reminder',
  'commitment-reminder',
  'evidence-reminder',
  // A mention waits out its reader's quiet hours and joins their digest, like a reminder.
  'comment-mention',
  // A month's lessons of the cohort: welcome, never owed.
  'lesson-digest',
]);

/** Whether a member gets a message of this template, by their notification level. */
export function wantsMessage(member: { notifications: 'all' | 'essential' }, template: string): boolean {
  return member.notifications === 'all' || !OPTIONAL_TEMPLATES.has(template);
}

import type { Message } from '../../core/mail/message.js';
import { asRecipients, type Notice, notify } from '../../core/mail/notify.js';
import { inviteAddress } from '../../core/mail/reply-to.js';
import { reviewCancelled, reviewInvitation } from '../../core/mail/templates.js';
import { pages } from '../../core/pages.js';
import { type Audience, audienceOf } from '../../core/policy.js';
import { reviewInvitation as invitationIcs } from '../../core/reviews/ics.js';
import { reviewLabel } from '../../core/reviews/label.js';
import type { Prisma } from '../../generated/prisma/client.js';
import type { ActivityDeps } from '../deps.js';
import { mailContext } from '../mail/activities.js';

export const withMembers = { include: { members: { include: { person: true } } } } as const;
export type ReviewWithMembers = Prisma.ReviewGetPayload<{ include: { partnership: typeof withMembers } }>;

/** Who a review's invitation names as its organizer: the district's lead, else the partner's, else the sponsor. */
function organizerOf(members: { role: string; person: { name: string; email: string } }[]) {
  for (const role of ['district_lead', 'partner_lead', 'executive_sponsor']) {
    const m = members.find((x) => x.role === role);
    if (m) return { name: m.person.name, email: m.person.email };
  }
  return null;
}

/** A review's regular date: where the recurrence put it before a blackout or a person moved it. */
export const regularOf = (r: { originalAt: Date | null; scheduledAt: Date } | null) =>
  r ? (r.originalAt ?? r.scheduledAt).getTime() : undefined;

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** What every message about one review says of it: which review, of which partnership, when. */
const aboutReview = (review: ReviewWithMembers) => ({
  partnershipName: review.partnership.name,
  label: reviewLabel(review.partnership.recurrenceRule),
  sequence: review.sequence,
  scheduledAt: review.scheduledAt.getTime(),
});

/**
 * A message about one review to the members the policy names for it, linking to the review's page,
 * each copy in its reader's zone.
 */
export function reviewNotice(
  review: ReviewWithMembers,
  n: Pick<Notice, 'messageKey' | 'template' | 'dueAt'> & {
    audience: Audience;
    message: (input: ReturnType<typeof aboutReview> & { timeZone: string; link: string }) => Message;
  },
): Notice {
  const p = review.partnership;
  return {
    messageKey: n.messageKey,
    template: n.template,
    dueAt: n.dueAt,
    about: p,
    recipients: asRecipients(audienceOf(p.members, n.audience)),
    target: pages.review(p.id, review.id),
    render: (timeZone, link) => n.message({ ...aboutReview(review), timeZone, link }),
  };
}

/** A review's calendar invitation, shared by the activities that plan, move, skip or close reviews. */
export function createInvitations(deps: ActivityDeps) {
  const { db, mailer, publicUrl } = deps;
  const organizerFor = (reviewId: string, members: ReviewWithMembers['partnership']['members']) => {
    const lead = organizerOf(members) ?? { name: mailer.from.name, email: mailer.from.address };
    // Answers go where Tandem reads them, still under the lead's name.
    return deps.replyDomain ? { name: lead.name, email: inviteAddress(reviewId, deps.replyDomain) } : lead;
  };
  const loadReview = (id: string) => db.review.findUniqueOrThrow({ where: { id }, include: { partnership: withMembers } });

  /**
   * The review's invitation for its current calendar sequence (REQUEST), or its cancellation, to every
   * member; keyed by review and sequence, so asking again for the same version sends nothing.
   */
  async function sendInvitation(review: ReviewWithMembers, dueAt: number): Promise<void> {
    const p = review.partnership;
    const cancel = review.status === 'skipped';
    if (!cancel && review.status !== 'scheduled') return;
    // The calendar entry links to the review's page without a sign-in token: it outlives any token.
    const page = `${publicUrl}${pages.review(p.id, review.id)}`;
    await notify(mailContext(deps), {
      ...reviewNotice(review, {
        messageKey: cancel ? `review:${review.id}:cancel` : `review:${review.id}:invitation:${review.calendarSequence}`,
        template: cancel ? 'review-cancelled' : 'review-invitation',
        dueAt,
        audience: 'reviewInvitation',
        message: (about) =>
          cancel
            ? reviewCancelled({ ...about, reason: review.skipReason ?? 'it was skipped' })
            : reviewInvitation({
                ...about,
                moved: review.calendarSequence > 0 ? { from: review.movedFrom?.getTime() ?? null, reason: review.moveReason } : null,
              }),
      }),
      calendar: invitationIcs({
        method: cancel ? 'CANCEL' : 'REQUEST',
        reviewId: review.id,
        sequence: review.calendarSequence,
        start: review.scheduledAt,
        summary: `Partnership review #${review.sequence}: ${p.name}`,
        description: `${capitalize(reviewLabel(p.recurrenceRule))} #${review.sequence} of ${p.name}.\n${page}`,
        url: page,
        organizer: organizerFor(review.id, p.members),
        rsvp: Boolean(deps.replyDomain),
        sentBy: mailer.from.address,
        attendees: p.members.map((m) => ({ name: m.person.name, email: m.person.email })),
      }),
    });
  }

  return { loadReview, sendInvitation };
}

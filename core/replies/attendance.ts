import ICAL from 'ical.js';
import type { Db } from '../../lib/db/client.js';
import { recordEvent } from '../events.js';
import { type Notice, notify } from '../mail/notify.js';
import { requestMail } from '../mail/send.js';
import { reviewDeclined } from '../mail/templates.js';
import { pages } from '../pages.js';
import { taskLinks } from '../people/task-links.js';
import type { ReplyDeps } from './deps.js';

/**
 * Attendance from calendar replies: a calendar app answers a review's invitation with an iTIP
 * `METHOD:REPLY` (RFC 5546) to its organizer, Tandem's invitation address (core/mail/reply-to.ts),
 * carrying the attendee's PARTSTAT. Each member's latest answer is kept per review (an answer to an
 * older SEQUENCE never replaces a newer one); a lead's decline tells the other leads, who may move it.
 */

export type AttendanceResponse = 'accepted' | 'declined' | 'tentative';

export interface CalendarAnswer {
  uid: string;
  sequence: number;
  attendee: string;
  response: AttendanceResponse;
  comment: string | null;
}

const RESPONSES: Record<string, AttendanceResponse> = { ACCEPTED: 'accepted', DECLINED: 'declined', TENTATIVE: 'tentative' };

/** The answer in a message's `text/calendar` parts (Google's, Outlook's and Apple's shapes alike), or null. */
export function readCalendarReply(parts: readonly { contentType: string; content: Buffer }[]): CalendarAnswer | null {
  for (const part of parts) {
    if (!['text/calendar', 'application/ics'].includes(part.contentType.toLowerCase())) continue;
    let calendar: ICAL.Component;
    try {
      calendar = new ICAL.Component(ICAL.parse(part.content.toString('utf8')));
    } catch {
      continue;
    }
    if (String(calendar.getFirstPropertyValue('method') ?? '').toUpperCase() !== 'REPLY') continue;
    const event = calendar.getFirstSubcomponent('vevent');
    const attendee = event?.getFirstProperty('attendee');
    if (!event || !attendee) continue;
    const response = RESPONSES[String(attendee.getParameter('partstat') ?? '').toUpperCase()];
    if (!response) continue;
    const comment = event.getFirstPropertyValue('comment');
    return {
      uid: String(event.getFirstPropertyValue('uid') ?? ''),
      sequence: Number(event.getFirstPropertyValue('sequence') ?? 0),
      attendee: String(attendee.getFirstValue() ?? '')
        .replace(/^mailto:/i, '')
        .toLowerCase(),
      response,
      comment: comment ? String(comment).slice(0, 2000) : null,
    };
  }
  return null;
}

export interface AttendanceResult {
  recorded: boolean;
  reason: string;
}

/** Records a member's answer to the review's invitation; `from` has passed DMARC. */
export async function recordAttendance(deps: ReplyDeps, reviewId: string, from: string, answer: CalendarAnswer): Promise<AttendanceResult> {
  const review = await deps.db.review.findUnique({
    where: { id: reviewId },
    include: { partnership: { include: { members: { include: { person: true } } } } },
  });
  if (!review || answer.uid !== `review-${reviewId}@tandem`) return { recorded: false, reason: 'it answers no review Tandem invited to' };
  if (answer.attendee !== from) return { recorded: false, reason: `it answers for ${answer.attendee}, but came from ${from}` };
  const member = review.partnership.members.find((m) => m.person.email.toLowerCase() === from);
  if (!member) return { recorded: false, reason: `${from} is not a member of the partnership` };
  const key = { reviewId_personId: { reviewId, personId: member.personId } };
  const earlier = await deps.db.reviewAttendance.findUnique({ where: key });
  if (earlier && earlier.sequence > answer.sequence) return { recorded: false, reason: 'it answers an older version of the invitation' };
  const now = new Date();
  const row = { response: answer.response, comment: answer.comment, sequence: answer.sequence, respondedAt: now };
  await deps.db.reviewAttendance.upsert({ where: key, create: { reviewId, personId: member.personId, ...row }, update: row });
  await recordEvent(
    deps.db,
    review.partnershipId,
    `review:${reviewId}:attendance:${member.personId}:${now.getTime()}`,
    'review.attendance',
    { reviewId, response: answer.response },
    { kind: 'person', id: member.personId, name: member.person.name, via: 'email' },
  );
  const isLead = member.role === 'district_lead' || member.role === 'partner_lead';
  if (answer.response === 'declined' && earlier?.response !== 'declined' && isLead && review.status === 'scheduled') {
    const others = review.partnership.members.filter(
      (m) => m.personId !== member.personId && (m.role === 'district_lead' || m.role === 'partner_lead'),
    );
    const notice: Notice = {
      messageKey: `review:${reviewId}:declined:${member.personId}:${answer.sequence}`,
      template: 'review-declined',
      about: review.partnership,
      dueAt: now.getTime(),
      recipients: others.map((m) => ({ person: m.person, membership: m })),
      target: pages.review(review.partnershipId, reviewId),
      render: (timeZone, link) =>
        reviewDeclined({
          partnershipName: review.partnership.name,
          sequence: review.sequence,
          scheduledAt: review.scheduledAt.getTime(),
          timeZone,
          who: member.person.name,
          comment: answer.comment,
          link,
        }),
    };
    if (others.length > 0) await notify(requestMail(deps, taskLinks(deps.db, { publicUrl: deps.publicUrl, ...deps.taskLinks })), notice);
  }
  return { recorded: true, reason: `${member.person.name} ${answer.response} the invitation.` };
}

/** "2 of 6 declined": each review's answers, for its page, the partnership's and the dashboard. */
export async function attendanceOf(db: Db, reviewIds: readonly string[]) {
  const rows = await db.reviewAttendance.findMany({
    where: { reviewId: { in: [...reviewIds] } },
    include: { person: { select: { name: true } } },
    orderBy: { person: { name: 'asc' } },
  });
  const byReview = new Map<string, typeof rows>();
  for (const r of rows) byReview.set(r.reviewId, [...(byReview.get(r.reviewId) ?? []), r]);
  return byReview;
}

/** The one-line summary of a review's answers, out of `invited`. */
export function attendanceLine(answers: readonly { response: string }[], invited: number): string | null {
  if (answers.length === 0) return null;
  const count = (r: AttendanceResponse) => answers.filter((a) => a.response === r).length;
  const parts = [
    count('accepted') && `${count('accepted')} of ${invited} accepted`,
    count('tentative') && `${count('tentative')} tentative`,
    count('declined') && `${count('declined')} of ${invited} declined`,
  ].filter(Boolean);
  return parts.join(', ');
}

import { asRecipients, notify } from '../../core/mail/notify.js';
import { commentMention } from '../../core/mail/templates.js';
import { pages } from '../../core/pages.js';
import type { ActivityDeps } from '../deps.js';
import { mailContext } from '../mail/activities.js';
import { notFound } from '../not-found.js';

/** What a comment was written on, as its mail names it, and the page it is on. */
async function subjectOf(deps: ActivityDeps, c: { partnershipId: string; subject: string; subjectId: string }) {
  const { db } = deps;
  if (c.subject === 'review') {
    const r = await db.review.findUniqueOrThrow({ where: { id: c.subjectId }, select: { sequence: true } });
    return { about: `review #${r.sequence}`, target: pages.review(c.partnershipId, c.subjectId) };
  }
  if (c.subject === 'commitment') {
    const x = await db.commitment.findUniqueOrThrow({ where: { id: c.subjectId }, select: { description: true } });
    return { about: `the commitment "${x.description}"`, target: pages.commitment(c.partnershipId, c.subjectId) };
  }
  if (c.subject === 'lesson') {
    const l = await db.lesson.findUniqueOrThrow({ where: { cycleId: c.subjectId }, select: { title: true } });
    return { about: `the lesson "${l.title}"`, target: pages.inquiryCycle(c.partnershipId, c.subjectId) };
  }
  const x = await db.evidenceRequest.findUniqueOrThrow({ where: { id: c.subjectId }, select: { description: true } });
  return { about: `the evidence request "${x.description}"`, target: pages.evidence(c.partnershipId, c.subjectId) };
}

export function createCommentActivities(deps: ActivityDeps) {
  return {
    /** Each member the comment mentions gets one copy (keyed by the comment), in their zone, with their delivery settings. */
    async notifyMentions(commentId: string): Promise<void> {
      const c = await deps.db.comment.findUnique({
        where: { id: commentId },
        include: { partnership: { include: { members: { include: { person: true } } } } },
      });
      if (!c) throw notFound(`comment ${commentId}`);
      const members = c.partnership.members.filter((m) => c.mentionedIds.includes(m.personId));
      if (members.length === 0) return;
      const { about, target } = await subjectOf(deps, c);
      const author = c.onBehalfOfName ?? c.actorName ?? 'Someone';
      await notify(mailContext(deps), {
        messageKey: `comment:${c.id}:mention`,
        template: 'comment-mention',
        about: c.partnership,
        dueAt: c.createdAt.getTime(),
        recipients: asRecipients(members),
        target,
        render: (_timeZone, link) => commentMention({ partnershipName: c.partnership.name, author, about, body: c.body, link }),
      });
    },
  };
}

import { DateTime } from 'luxon';
import { recordEvent } from '../../core/events.js';
import { asRecipients, notify } from '../../core/mail/notify.js';
import { boardSummaryReady, reflectionPrompt, reflectionSummary } from '../../core/mail/templates.js';
import { pages } from '../../core/pages.js';
import { audienceOf, resolvePolicy } from '../../core/policy.js';
import { reflectionThemes } from '../../core/reflections/themes.js';
import { HEALTH_LABELS, partnershipHealth } from '../../core/reports/health.js';
import { parseOffset } from '../../lib/durations.js';
import type { ReflectionPlan } from '../../workflows/reflections/steps.js';
import type { ActivityDeps } from '../deps.js';
import { mailContext } from '../mail/activities.js';

/**
 * The reflection window after a held review: prompts, reminders, the leads' summary.
 * (Long as the sum of its activities, each a method under 100 lines: the factory only hands them their clients.)
 */
export function createReflectionActivities(deps: ActivityDeps) {
  const { db } = deps;
  return {
    /**
     * Opens the reflection window after a held review: one prompt row per member (created once,
     * so a retry changes nothing) and the window's timings, computed in the partnership's zone.
     */
    async openReflections(input: { partnershipId: string; reviewId: string; now: number }): Promise<ReflectionPlan> {
      const p = await db.partnership.findUniqueOrThrow({ where: { id: input.partnershipId }, include: { members: true } });
      await db.reflection.createMany({
        data: p.members.map((m) => ({ reviewId: input.reviewId, personId: m.personId, promptedAt: new Date(input.now) })),
        skipDuplicates: true,
      });
      const rows = await db.reflection.findMany({ where: { reviewId: input.reviewId } });
      const openedAt = Math.min(...rows.map((r) => r.promptedAt.getTime()));
      const opened = DateTime.fromMillis(openedAt, { zone: p.timeZone });
      const policy = resolvePolicy(p);
      return {
        memberIds: rows.map((r) => r.personId).sort(),
        answered: rows.filter((r) => r.submittedAt).map((r) => r.personId),
        openedAt,
        reminders: policy.reflectionReminders.map((d) => opened.plus(parseOffset(d)).toMillis()),
        closesAt: opened.plus(parseOffset(policy.reflectionWindow)).toMillis(),
      };
    },

    /** Whether the partnership is paused now: a reflection window does not close during a pause. */
    async partnershipPaused(partnershipId: string): Promise<boolean> {
      const p = await db.partnership.findUniqueOrThrow({ where: { id: partnershipId }, select: { status: true } });
      return p.status === 'paused';
    },

    /** Prompts (or reminds) every member who has not answered yet; one message per person and stage. */
    async sendReflectionNotices(input: { reviewId: string; stage: string; dueAt: number; closesAt: number }): Promise<number> {
      const review = await db.review.findUniqueOrThrow({
        where: { id: input.reviewId },
        include: { partnership: { include: { members: true } }, reflections: { where: { submittedAt: null }, include: { person: true } } },
      });
      if (review.reflectionsClosedAt) return 0;
      // Nothing about a paused partnership is sent; the window stays open for those who answer anyway.
      if (review.partnership.status === 'paused' && input.stage !== 'prompt') return 0;
      const template = input.stage === 'prompt' ? 'reflection-prompt' : 'reflection-reminder';
      const { partnership } = review;
      let asked = 0;
      // Someone who has since left the partnership is no longer asked.
      for (const r of review.reflections) {
        const membership = partnership.members.find((m) => m.personId === r.personId);
        if (!membership) continue;
        const copies = await notify(mailContext(deps), {
          messageKey: `reflection:${review.id}:${r.personId}:${input.stage}`,
          template,
          about: partnership,
          dueAt: input.dueAt,
          recipients: [{ person: r.person, membership }],
          target: pages.reflection(review.partnershipId, review.id),
          replyFor: () => ({ kind: 'reflection', id: review.id }),
          render: (timeZone, link) =>
            reflectionPrompt(input.stage === 'prompt' ? 'prompt' : 'reminder', {
              partnershipName: partnership.name,
              sequence: review.sequence,
              closesAt: input.closesAt,
              timeZone,
              link,
            }),
        });
        if (!copies['not-wanted']) asked += 1;
      }
      return asked;
    },

    /** Closes the window and tells the leads who answered and who did not. */
    async closeReflections(input: { reviewId: string; at: number }): Promise<void> {
      const review = await db.review.findUniqueOrThrow({
        where: { id: input.reviewId },
        include: {
          partnership: { include: { members: { include: { person: true } } } },
          reflections: { include: { person: true }, orderBy: { person: { name: 'asc' } } },
        },
      });
      await db.review.updateMany({
        where: { id: review.id, reflectionsClosedAt: null },
        data: { reflectionsClosedAt: new Date(input.at) },
      });
      const given = review.reflections.filter((r) => r.submittedAt);
      const answered = given.map((r) => r.person.name);
      const missing = review.reflections.filter((r) => !r.submittedAt).map((r) => r.person.name);
      const themes = reflectionThemes(given);
      const questions = themes.byQuestion.map((q) => ({
        label: q.label,
        answers: given.filter((r) => r[q.field]?.trim()).map((r) => ({ name: r.person.name, text: r[q.field] as string })),
        themes: q.themes,
      }));
      const key = `reflection:${review.id}:summary`;
      await notify(mailContext(deps), {
        messageKey: key,
        template: 'reflection-summary',
        about: review.partnership,
        dueAt: input.at,
        recipients: asRecipients(audienceOf(review.partnership.members, 'reflectionSummary')),
        target: pages.review(review.partnershipId, review.id),
        render: (_timeZone, link) =>
          reflectionSummary({
            partnershipName: review.partnership.name,
            sequence: review.sequence,
            answered,
            missing,
            questions,
            themes: themes.overall,
            link,
          }),
      });
      const [health] = await partnershipHealth(db, { id: review.partnershipId }, new Date(input.at));
      await notify(mailContext(deps), {
        messageKey: `review:${review.id}:board-summary`,
        template: 'board-summary',
        about: review.partnership,
        dueAt: input.at,
        recipients: asRecipients(audienceOf(review.partnership.members, 'boardSummary')),
        target: pages.boardSummary(review.partnershipId),
        render: (_timeZone, link) =>
          boardSummaryReady({
            partnershipName: review.partnership.name,
            sequence: review.sequence,
            health: health?.health ? HEALTH_LABELS[health.health] : null,
            link,
          }),
      });
      await recordEvent(db, review.partnershipId, key, 'review.reflections_closed', {
        reviewId: review.id,
        answered: answered.length,
        missing: missing.length,
      });
    },
  };
}

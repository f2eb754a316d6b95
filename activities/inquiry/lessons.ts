import { DateTime } from 'luxon';
import { lessonsSharedBetween } from '../../core/inquiry/lessons.js';
import { notify } from '../../core/mail/notify.js';
import { lessonDigest } from '../../core/mail/templates.js';
import { pages } from '../../core/pages.js';
import type { ActivityDeps } from '../deps.js';
import { mailContext } from '../mail/activities.js';

/** The monthly digest of a cohort's shared lessons (workflows/inquiry/lesson-digest.ts). */
export function createLessonActivities(deps: ActivityDeps) {
  const { db } = deps;
  return {
    /**
     * To every member of the cohort's running partnerships and to its coordinators, once per month
     * (the month's business key), unless each of their memberships in the cohort takes essential
     * mail only; their quiet hours and daily digest apply as to any optional message.
     */
    async sendLessonDigest(input: { cohortId: string; from: number; until: number }): Promise<boolean> {
      const cohort = await db.cohort.findUnique({
        where: { id: input.cohortId },
        include: {
          coordinators: { include: { person: true } },
          partnerships: {
            where: { status: { in: ['planning', 'active', 'paused'] } },
            include: { members: { include: { person: true } } },
          },
        },
      });
      if (!cohort) return false;
      const lessons = await lessonsSharedBetween(db, cohort.id, new Date(input.from), new Date(input.until));
      if (lessons.length === 0) return true;
      const memberships = cohort.partnerships.flatMap((p) => p.members);
      const wants = (personId: string) => {
        const own = memberships.filter((m) => m.personId === personId);
        return own.length === 0 || own.some((m) => m.notifications === 'all');
      };
      const people = [...memberships.map((m) => m.person), ...cohort.coordinators.map((c) => c.person)].filter((p) => wants(p.id));
      const month = DateTime.fromMillis(input.from, { zone: 'utc' });
      await notify(mailContext(deps), {
        messageKey: `lessons:${cohort.id}:${month.toFormat('yyyy-MM')}`,
        template: 'lesson-digest',
        about: { id: null, timeZone: 'UTC' },
        dueAt: input.until,
        recipients: people.map((person) => ({ person })),
        target: pages.cohortLessons(cohort.id),
        render: (_timeZone, link) =>
          lessonDigest({
            cohortName: cohort.name,
            month: month.toFormat('LLLL yyyy'),
            lessons: lessons.map((l) => ({ title: l.title, theme: l.theme, partnershipName: l.partnership.name, saw: l.saw })),
            link,
          }),
      });
      return true;
    },
  };
}

import { DateTime } from 'luxon';
import { hashSecret, newSecret } from '../../lib/auth/secrets.js';
import type { Db } from '../../lib/db/client.js';
import { NotFoundError } from '../../lib/errors.js';
import { pages } from '../pages.js';
import type { Principal } from '../people/principal.js';
import { partnershipScope, personScope, visibleCohortId } from '../people/rights.js';
import { type CalendarItem, calendarFeed, REVIEW_MINUTES } from './ics.js';
import { type PlannedReview, ScheduleError, upcomingReviews } from './recurrence.js';
import { partnershipSchedule } from './school-calendar.js';

const DEADLINE_MINUTES = 15;
const clip = (s: string, n = 80) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export type Subject = { partnershipId: string } | { personId: string } | { cohortId: string };

/**
 * What a feed shows, within what `caller` may see: a partnership's reviews and deadlines; a person's
 * partnerships' reviews and the deadlines they own; a cohort's reviews (its coordinators follow the
 * rhythm of every partnership, not each pledge). Each event links to its page.
 */
export async function feedItems(
  db: Db,
  caller: Principal,
  subject: Subject,
  publicUrl: string,
): Promise<{ name: string; items: CalendarItem[] }> {
  const scope = partnershipScope(caller);
  const partnershipWhere =
    'partnershipId' in subject
      ? { AND: [scope, { id: subject.partnershipId }] }
      : 'cohortId' in subject
        ? { AND: [scope, { cohortId: subject.cohortId }] }
        : { AND: [scope, { members: { some: { personId: subject.personId } } }] };
  const ownerFilter = 'personId' in subject ? { ownerId: subject.personId } : {};
  const deadlines = !('cohortId' in subject);
  // Deadlines while they are open: done, dropped, submitted or waived, they leave the calendar.
  const open = { status: { in: ['open' as const, 'overdue' as const] } };
  const [reviews, commitments, evidence, partnerships] = await Promise.all([
    db.review.findMany({ where: { partnership: partnershipWhere }, include: { partnership: { select: { name: true } } } }),
    deadlines
      ? db.commitment.findMany({
          where: { partnership: partnershipWhere, ...ownerFilter, ...open },
          include: { partnership: { select: { name: true } } },
        })
      : [],
    deadlines
      ? db.evidenceRequest.findMany({
          where: { partnership: partnershipWhere, ...ownerFilter, ...open },
          include: { partnership: { select: { name: true } } },
        })
      : [],
    db.partnership.findMany({ where: { AND: [partnershipWhere, { status: { in: ['planning', 'active'] } }] } }),
  ]);
  const link = (path: string) => `${publicUrl}${path}`;
  const items: CalendarItem[] = [
    ...reviews.map((r) => ({
      kind: 'review' as const,
      id: r.id,
      start: r.scheduledAt,
      minutes: REVIEW_MINUTES,
      summary: `Partnership review #${r.sequence}: ${r.partnership.name}`,
      description: `Review #${r.sequence} of ${r.partnership.name} (${r.status}).`,
      url: link(pages.review(r.partnershipId, r.id)),
      cancelled: r.status === 'skipped',
      sequence: r.calendarSequence,
    })),
    ...(await plannedReviews(db, partnerships, reviews, link)),
    ...commitments.map((c) => ({
      kind: 'commitment' as const,
      id: c.id,
      start: c.dueAt,
      minutes: DEADLINE_MINUTES,
      summary: `Commitment due: ${clip(c.description)}`,
      description: `${c.description}\n\nPartnership: ${c.partnership.name}. Status: ${c.status}.`,
      url: link(pages.commitment(c.partnershipId, c.id)),
      cancelled: c.status === 'dropped',
      sequence: 0,
    })),
    ...evidence.map((e) => ({
      kind: 'evidence' as const,
      id: e.id,
      start: e.dueAt,
      minutes: DEADLINE_MINUTES,
      summary: `Evidence due: ${clip(e.description)}`,
      description: `${e.description}\n\nPartnership: ${e.partnership.name}. Status: ${e.status}.`,
      url: link(pages.evidence(e.partnershipId, e.id)),
      cancelled: e.status === 'waived',
      sequence: 0,
    })),
  ].sort((a, b) => a.start.getTime() - b.start.getTime());
  const name =
    'partnershipId' in subject
      ? (await db.partnership.findUniqueOrThrow({ where: { id: subject.partnershipId } })).name
      : 'cohortId' in subject
        ? (await db.cohort.findUniqueOrThrow({ where: { id: subject.cohortId } })).name
        : (await db.person.findUniqueOrThrow({ where: { id: subject.personId } })).name;
  return { name: `Tandem: ${name}`, items };
}

/** How far ahead a feed shows the reviews a recurrence will bring (the workflow plans one at a time). */
const AHEAD_MONTHS = 12;

/**
 * The reviews a partnership's recurrence will bring in the coming year, after the last one planned:
 * the year the preview showed, in the feed. Each becomes a review of its own (with its own invitation)
 * when its time to be planned comes; until then its UID names the partnership and its number.
 */
async function plannedReviews(
  db: Db,
  partnerships: {
    id: string;
    name: string;
    recurrenceRule: string | null;
    recurrenceStart: string | null;
    timeZone: string;
    blackouts: unknown;
    districtId: string;
    cohortId: string | null;
  }[],
  reviews: { partnershipId: string; sequence: number; scheduledAt: Date; originalAt: Date | null }[],
  link: (path: string) => string,
): Promise<CalendarItem[]> {
  const items: CalendarItem[] = [];
  for (const p of partnerships) {
    if (!p.recurrenceRule || !p.recurrenceStart) continue;
    const own = reviews.filter((r) => r.partnershipId === p.id).sort((a, b) => a.sequence - b.sequence);
    const last = own.at(-1);
    const after = Math.max(last?.scheduledAt.getTime() ?? 0, Date.now());
    // A year of reviews after the one planned (its own date included), in the partnership's calendar:
    // a quarterly partnership shows the next four, whatever the time of day the feed is read.
    const horizon = DateTime.fromMillis(after, { zone: p.timeZone }).plus({ months: AHEAD_MONTHS }).toMillis();
    const schedule = await partnershipSchedule(db, { ...p, recurrenceRule: p.recurrenceRule, recurrenceStart: p.recurrenceStart });
    let next: PlannedReview[] = [];
    try {
      next = upcomingReviews(schedule, after, 12, { afterRegular: last ? (last.originalAt ?? last.scheduledAt).getTime() : undefined });
    } catch (e) {
      if (!(e instanceof ScheduleError)) throw e;
    }
    next
      .filter((r) => r.at <= horizon)
      .forEach((r, i) => {
        const sequence = (last?.sequence ?? 0) + i + 1;
        items.push({
          kind: 'review',
          id: `${p.id}-${sequence}`,
          start: new Date(r.at),
          minutes: REVIEW_MINUTES,
          summary: `Partnership review #${sequence}: ${p.name}`,
          description: `Review #${sequence} of ${p.name}, as its recurrence plans it.`,
          url: link(pages.partnership(p.id)),
          cancelled: false,
          sequence: 0,
        });
      });
  }
  return items;
}

export async function visiblePerson(db: Db, caller: Principal, id: string) {
  const person = await db.person.findFirst({ where: { AND: [{ id }, personScope(caller)] }, select: { id: true } });
  if (!person) throw new NotFoundError(`Person ${id} does not exist`);
  return person.id;
}

/** A cohort's calendar as iCalendar text, for the page's download. */
export async function cohortCalendar(db: Db, caller: Principal, cohortId: string, publicUrl: string): Promise<string> {
  const { name, items } = await feedItems(db, caller, { cohortId: await visibleCohortId(db, caller, cohortId) }, publicUrl);
  return calendarFeed(name, items);
}

/** A secret feed URL: it shows what its maker (a key, or a person for themselves) may see, as long as they may. */
export async function newFeed(db: Db, caller: Principal, subject: Subject, publicUrl: string): Promise<{ id: string; url: string }> {
  const token = newSecret('tdmcal');
  const maker = caller.kind === 'key' ? { createdById: caller.id } : { createdByPersonId: caller.id };
  const feed = await db.calendarFeed.create({ data: { tokenHash: hashSecret(token), ...maker, ...subject } });
  return { id: feed.id, url: `${publicUrl}/calendar/${token}.ics` };
}

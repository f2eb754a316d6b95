import { z } from 'zod';
import { uuidParam } from '../../core/fields.js';
import { keyPrincipal, type Principal, personPrincipal } from '../../core/people/principal.js';
import { visibleCohortId, visiblePartnershipId } from '../../core/people/rights.js';
import { feedItems, newFeed, type Subject, visiblePerson } from '../../core/reviews/calendar-feed.js';
import { calendarFeed } from '../../core/reviews/ics.js';
import { hashSecret } from '../../lib/auth/secrets.js';
import type { Db } from '../../lib/db/client.js';
import { NotFoundError } from '../../lib/errors.js';
import type { Reply } from '../http/reply.js';
import { route, tagged } from '../http/route.js';

/** Calendar feeds over HTTP; what a feed shows, and to whom, is in core/reviews/calendar-feed.ts. */
async function ics(db: Db, caller: Principal, subject: Subject, publicUrl: string): Promise<Reply> {
  const { name, items } = await feedItems(db, caller, subject, publicUrl);
  return { contentType: 'text/calendar; charset=utf-8', body: calendarFeed(name, items) };
}

const icsResponse = { 200: { description: 'An iCalendar (RFC 5545) feed', contentType: 'text/calendar', schema: z.string() } };
const feedResponse = {
  201: {
    description: 'A secret URL to subscribe to in a calendar app; shown this once',
    schema: z.object({ id: z.uuid(), url: z.string() }),
  },
};

/**
 * Calendar feeds (.ics) of a partnership or a person (reviews, commitment and evidence deadlines), or
 * of a cohort (every review of its partnerships).
 * With an API key they are read directly; calendar apps, which cannot send one, subscribe to a
 * secret URL that shows what the key (or person) that made it may see, and stops when that key is
 * revoked (or the person is gone).
 */
/** The three subjects of a calendar: what each shows, and how its id is checked against the caller. */
const SUBJECTS = [
  {
    name: 'Partnership',
    path: '/partnerships/:id',
    whose: "a partnership's",
    shows: undefined,
    subject: async (db: Db, caller: Principal, id: string): Promise<Subject> => ({
      partnershipId: await visiblePartnershipId(db, caller, id),
    }),
  },
  {
    name: 'Person',
    path: '/people/:id',
    whose: "a person's",
    shows: 'Reviews of their partnerships and the deadlines they own.',
    subject: async (db: Db, caller: Principal, id: string): Promise<Subject> => ({ personId: await visiblePerson(db, caller, id) }),
  },
  {
    name: 'Cohort',
    path: '/cohorts/:id',
    whose: "a cohort's",
    shows: 'Every review of the partnerships in the cohort that the caller sees.',
    subject: async (db: Db, caller: Principal, id: string): Promise<Subject> => ({ cohortId: await visibleCohortId(db, caller, id) }),
  },
] as const;

export const calendarRoutes = tagged('Calendar', [
  ...SUBJECTS.flatMap((s) => [
    route(`GET ${s.path}/calendar.ics`, {
      operationId: `get${s.name}Calendar`,
      summary: `Read ${s.whose} calendar`,
      ...(s.shows && { description: s.shows }),
      access: 'member',
      params: uuidParam,
      errors: [404],
      responses: icsResponse,
      handle: async ({ params, caller, deps }) => ics(deps.db, caller, await s.subject(deps.db, caller, params.id), deps.publicUrl),
    }),
    route(`POST ${s.path}/calendar-feeds`, {
      operationId: `create${s.name}CalendarFeed`,
      summary: `Create a calendar subscription URL for ${s.whose.replace(/'s$/, '')}`,
      access: 'member',
      params: uuidParam,
      errors: [404],
      responses: feedResponse,
      handle: async ({ params, caller, deps }) => ({
        body: await newFeed(deps.db, caller, await s.subject(deps.db, caller, params.id), deps.publicUrl),
      }),
    }),
  ]),
  route('GET /calendar/:file', {
    operationId: 'getSubscribedCalendar',
    summary: 'Read a subscribed calendar',
    description: 'The secret URL of a calendar feed; needs no API key.',
    access: 'public',
    params: z.object({ file: z.string().regex(/^tdmcal_[A-Za-z0-9_-]{43}\.ics$/, 'is not a calendar feed') }),
    errors: [404],
    responses: icsResponse,
    async handle({ params, deps }) {
      const feed = await deps.db.calendarFeed.findUnique({
        where: { tokenHash: hashSecret(params.file.slice(0, -'.ics'.length)) },
        include: { createdBy: true },
      });
      const caller = feed?.createdBy
        ? !feed.createdBy.revokedAt && keyPrincipal(feed.createdBy)
        : feed?.createdByPersonId && (await personPrincipal(deps.db, feed.createdByPersonId));
      if (!feed || !caller) throw new NotFoundError('No such calendar feed');
      if (feed.partnershipId) {
        await visiblePartnershipId(deps.db, caller, feed.partnershipId);
        return ics(deps.db, caller, { partnershipId: feed.partnershipId }, deps.publicUrl);
      }
      if (feed.cohortId) return ics(deps.db, caller, { cohortId: await visibleCohortId(deps.db, caller, feed.cohortId) }, deps.publicUrl);
      const personId = await visiblePerson(deps.db, caller, feed.personId as string);
      return ics(deps.db, caller, { personId }, deps.publicUrl);
    },
  }),
]);

import { z } from 'zod';
import { fileText, line, uuidParam } from '../../core/fields.js';
import { CALENDAR_MAX_CHARS, type CalendarOwner, importSchoolCalendar } from '../../core/reviews/school-calendar-import.js';
import { route, tagged } from '../http/route.js';

/** School calendars over HTTP; the import and its replanning are in core/reviews/school-calendar-import.ts. */
const body = z
  .object({
    name: line(200).meta({ description: 'What to call it, e.g. the file name.' }),
    ics: fileText(CALENDAR_MAX_CHARS).meta({ description: 'The .ics file, as exported by Google Calendar or Outlook.' }),
  })
  .strict();

const imported = { 200: { description: 'Imported; each partnership that plans by a recurrence replanned its upcoming review' } };

/** A district's calendar and a cohort's: the same import, for whom it is kept. */
const OWNERS = [
  {
    name: 'District',
    path: '/organizations/:id',
    owner: (id: string): CalendarOwner => ({ districtId: id }),
    description:
      'Every day an event covers is a day without reviews for the district’s partnerships (all-day, multi-day, recurring, timed). Replaces the previous one; a file that cannot be read is a 400 and changes nothing.',
  },
  {
    name: 'Cohort',
    path: '/cohorts/:id',
    owner: (id: string): CalendarOwner => ({ cohortId: id }),
    description: 'As a district’s, for every partnership of the cohort (admin and the cohort’s coordinators).',
  },
] as const;

export const schoolCalendarRoutes = tagged(
  'Calendar',
  OWNERS.map((o) =>
    route(`POST ${o.path}/school-calendar`, {
      operationId: `import${o.name}SchoolCalendar`,
      summary: `Import a ${o.name.toLowerCase()}'s school calendar (.ics)`,
      description: o.description,
      access: 'manager',
      params: uuidParam,
      body,
      errors: [404, 503],
      responses: imported,
      handle: async ({ params, body, caller, deps }) => ({
        body: await importSchoolCalendar(deps, caller, o.owner(params.id), { name: body.name, text: body.ics }),
      }),
    }),
  ),
);

import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { sendUpdate } from '../../lib/temporal/updates.js';
import { partnershipWorkflowId } from '../../workflows/ids.js';
import { changeRecurrenceUpdate } from '../../workflows/partnerships/messages.js';
import type { CoreDeps } from '../deps.js';
import { actorOf, type Principal } from '../people/principal.js';
import { assertCoordinates, assertManagesDistrict, organizationScope, partnershipScope, visibleCohortId } from '../people/rights.js';
import type { Blackout } from './recurrence.js';
import { CalendarFileError, parseSchoolCalendar } from './school-calendar.js';

/**
 * School calendars: a district's or a cohort's days without reviews, imported from an .ics file,
 * kept once and shared by their partnerships. A new file replaces the old; each partnership that
 * plans from a recurrence replans its upcoming review (through its workflow, as a change of
 * recurrence would). A file that cannot be read changes nothing.
 */

type Deps = Pick<CoreDeps, 'db' | 'temporal'>;
export type CalendarOwner = { districtId: string } | { cohortId: string };

export const CALENDAR_MAX_CHARS = 250_000;

async function ownerZone(deps: Deps, p: Principal, owner: CalendarOwner): Promise<{ zone: string; label: string }> {
  if ('cohortId' in owner) {
    await visibleCohortId(deps.db, p, owner.cohortId);
    assertCoordinates(p, owner.cohortId);
    const cohort = await deps.db.cohort.findUniqueOrThrow({ where: { id: owner.cohortId } });
    // A cohort has no zone of its own: times in UTC are read in its first partnership's.
    const first = await deps.db.partnership.findFirst({ where: { cohortId: owner.cohortId }, orderBy: { name: 'asc' } });
    return { zone: first?.timeZone ?? 'UTC', label: cohort.name };
  }
  const district = await deps.db.organization.findFirst({
    where: { AND: [{ id: owner.districtId, kind: 'district' }, organizationScope(p)] },
  });
  if (!district) throw new NotFoundError(`District ${owner.districtId} does not exist`);
  assertManagesDistrict(p, district.id);
  return { zone: district.timeZone, label: district.name };
}

export interface Replanned {
  partnershipId: string;
  name: string;
  timeZone: string;
  review: { id: string; from: string; to: string } | null;
}

export async function importSchoolCalendar(
  deps: Deps,
  p: Principal,
  owner: CalendarOwner,
  file: { name: string; text: string },
): Promise<{
  calendar: { name: string; blackouts: Blackout[] };
  replanned: Replanned[];
  skipped: { partnershipId: string; name: string; reason: string }[];
}> {
  const { zone } = await ownerZone(deps, p, owner);
  if (file.text.length > CALENDAR_MAX_CHARS) {
    throw new ValidationError('The file is too large', [{ path: 'file', message: `is larger than ${CALENDAR_MAX_CHARS / 1000} kB` }]);
  }
  let blackouts: Blackout[];
  try {
    blackouts = parseSchoolCalendar(file.text, zone);
  } catch (e) {
    if (!(e instanceof CalendarFileError)) throw e;
    throw new ValidationError(`${file.name}: ${e.message}; nothing changed`, [{ path: 'file', message: e.message }]);
  }
  const actor = actorOf(p);
  const data = { name: file.name, blackouts: blackouts as unknown as object[], importedAt: new Date(), importedBy: actor.name };
  await deps.db.schoolCalendar.upsert({ where: owner as { districtId: string }, create: { ...owner, ...data }, update: data });

  const partnerships = await deps.db.partnership.findMany({
    where: { AND: [owner, partnershipScope(p), { status: { in: ['planning', 'active', 'paused'] } }] },
    orderBy: { name: 'asc' },
  });
  const upcoming = (partnershipId: string) =>
    deps.db.review.findFirst({ where: { partnershipId, status: 'scheduled' }, orderBy: { sequence: 'asc' } });
  const replanned: Replanned[] = [];
  const skipped: { partnershipId: string; name: string; reason: string }[] = [];
  for (const partnership of partnerships) {
    if (!partnership.recurrenceRule || !partnership.recurrenceStart) {
      skipped.push({
        partnershipId: partnership.id,
        name: partnership.name,
        reason: 'its reviews are set one at a time, not by a recurrence',
      });
      continue;
    }
    const before = await upcoming(partnership.id);
    try {
      await sendUpdate(deps.temporal, partnershipWorkflowId(partnership.id), 'The partnership has ended', (h) =>
        h.executeUpdate(changeRecurrenceUpdate, {
          args: [
            {
              rrule: partnership.recurrenceRule as string,
              start: partnership.recurrenceStart as string,
              reason: `the school calendar "${file.name}" changed`,
              cause: 'school-calendar',
              actor,
            },
          ],
        }),
      );
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      skipped.push({ partnershipId: partnership.id, name: partnership.name, reason: e.message });
      continue;
    }
    const after = await upcoming(partnership.id);
    const moved = before && after && before.id === after.id && before.scheduledAt.getTime() !== after.scheduledAt.getTime();
    replanned.push({
      partnershipId: partnership.id,
      name: partnership.name,
      timeZone: partnership.timeZone,
      review: moved ? { id: after.id, from: before.scheduledAt.toISOString(), to: after.scheduledAt.toISOString() } : null,
    });
  }
  return { calendar: { name: file.name, blackouts }, replanned, skipped };
}

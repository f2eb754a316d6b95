import type { Db } from '../../lib/db/client.js';

/**
 * A partnership with two leads (and, with `withSponsor`, an executive sponsor) and its first review,
 * written the way the API writes it.
 */
export async function createPartnershipRecord(
  db: Db,
  opts: { firstReviewAt: Date; reminderOffsets: string[]; timeZone?: string; name?: string; plannedAt: number; withSponsor?: boolean },
) {
  const suffix = Math.random().toString(36).slice(2, 8);
  const timeZone = opts.timeZone ?? 'America/Chicago';
  const district = await db.organization.create({ data: { kind: 'district', name: `Lakeside USD ${suffix}`, timeZone } });
  const partner = await db.organization.create({ data: { kind: 'partner', name: `Center for School Change ${suffix}`, timeZone } });
  const partnership = await db.partnership.create({
    data: {
      name: opts.name ?? `Lakeside literacy ${suffix}`,
      districtId: district.id,
      partnerId: partner.id,
      timeZone,
      reminderOffsets: opts.reminderOffsets,
      members: {
        create: [
          { role: 'district_lead', person: { create: { name: 'Ana Diaz', email: `ana.${suffix}@lakeside.example` } } },
          { role: 'partner_lead', person: { create: { name: 'Ben Ode', email: `ben.${suffix}@center.example` } } },
          ...(opts.withSponsor
            ? [{ role: 'executive_sponsor' as const, person: { create: { name: 'Sue Park', email: `sue.${suffix}@district.example` } } }]
            : []),
        ],
      },
      // Stamped with the (virtual) time the API would have planned it at.
      reviews: { create: { sequence: 1, scheduledAt: opts.firstReviewAt, createdAt: new Date(opts.plannedAt) } },
    },
    include: { reviews: true, members: { include: { person: true } } },
  });
  const person = (role: string) => partnership.members.find((m) => m.role === role)?.person;
  type Person = (typeof partnership.members)[number]['person'];
  return {
    ...partnership,
    review: partnership.reviews[0] as (typeof partnership.reviews)[number],
    districtLead: person('district_lead') as Person,
    partnerLead: person('partner_lead') as Person,
    sponsor: person('executive_sponsor'),
    emails: partnership.members.map((m) => m.person.email).sort(),
  };
}

/** A partnership whose reviews come from a recurrence; the workflow plans every review itself. */
export async function createRecurringPartnershipRecord(
  db: Db,
  opts: {
    rrule: string;
    start: string;
    timeZone: string;
    blackouts: { start: string; end: string; label?: string }[];
    reminderOffsets: string[];
    cohortId?: string;
  },
) {
  const suffix = Math.random().toString(36).slice(2, 8);
  const district = await db.organization.create({ data: { kind: 'district', name: `Riverside USD ${suffix}`, timeZone: opts.timeZone } });
  const partner = await db.organization.create({ data: { kind: 'partner', name: `Learning Partners ${suffix}`, timeZone: opts.timeZone } });
  return db.partnership.create({
    data: {
      name: `Riverside math ${suffix}`,
      districtId: district.id,
      partnerId: partner.id,
      timeZone: opts.timeZone,
      reminderOffsets: opts.reminderOffsets,
      recurrenceRule: opts.rrule,
      recurrenceStart: opts.start,
      blackouts: opts.blackouts,
      cohortId: opts.cohortId ?? null,
      members: {
        create: [
          { role: 'district_lead', person: { create: { name: 'Cora Li', email: `cora.${suffix}@riverside.example` } } },
          { role: 'partner_lead', person: { create: { name: 'Dev Rao', email: `dev.${suffix}@partners.example` } } },
        ],
      },
    },
  });
}

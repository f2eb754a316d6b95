import type { Db } from '../../lib/db/client.js';

/**
 * The zone a person reads times in: the one they chose in their settings, else that of the
 * partnerships they take part in (the most common, for someone in several), else UTC.
 */
export async function personZone(db: Pick<Db, 'person' | 'partnershipMember'>, personId: string): Promise<string> {
  const person = await db.person.findUnique({ where: { id: personId }, select: { timeZone: true } });
  if (person?.timeZone) return person.timeZone;
  const memberships = await db.partnershipMember.findMany({
    where: { personId },
    select: { partnership: { select: { timeZone: true } } },
    take: 200,
  });
  const counts = new Map<string, number>();
  for (const m of memberships) counts.set(m.partnership.timeZone, (counts.get(m.partnership.timeZone) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? 'UTC';
}

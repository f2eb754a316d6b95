import type { Db } from '../../lib/db/client.js';

/**
 * The zone a person chose in their settings, or null: a page about one partnership then shows its
 * times in that partnership's zone, a list of several in each row's own (`?? partnership.timeZone`).
 */
export async function chosenZone(db: Pick<Db, 'person'>, personId: string): Promise<string | null> {
  const person = await db.person.findUnique({ where: { id: personId }, select: { timeZone: true } });
  return person?.timeZone ?? null;
}

/**
 * The zone a person reads times in where no one partnership's applies (mail, reports): the one they
 * chose, else that of the partnerships they take part in (the most common, for someone in several), else UTC.
 */
export async function personZone(db: Pick<Db, 'person' | 'partnershipMember'>, personId: string): Promise<string> {
  const chosen = await chosenZone(db, personId);
  if (chosen) return chosen;
  const memberships = await db.partnershipMember.findMany({
    where: { personId },
    select: { partnership: { select: { timeZone: true } } },
    take: 200,
  });
  const counts = new Map<string, number>();
  for (const m of memberships) counts.set(m.partnership.timeZone, (counts.get(m.partnership.timeZone) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? 'UTC';
}

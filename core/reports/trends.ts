import { DateTime } from 'luxon';
import type { Prisma } from '../../generated/prisma/client.js';
import type { Db } from '../../lib/db/client.js';

/**
 * The figures behind the dashboard's charts, for the partnerships `where` selects: reflection
 * completion per quarter, commitments overdue at the end of each week, and commitments done on time
 * by side. Read from PostgreSQL in one query each, whatever the number of partnerships.
 */

export interface Trends {
  reflections: { quarter: string; asked: number; answered: number }[];
  overdue: { week: string; overdue: number }[];
  onTime: { side: string; done: number; onTime: number }[];
}

const WEEKS = 12;

export async function trends(db: Db, where: Prisma.PartnershipWhereInput, zone: string, now = Date.now()): Promise<Trends> {
  const ids = (await db.partnership.findMany({ where, select: { id: true } })).map((p) => p.id);
  if (ids.length === 0) return { reflections: [], overdue: [], onTime: [] };
  const weekEnds = Array.from({ length: WEEKS }, (_, i) =>
    DateTime.fromMillis(now, { zone })
      .startOf('week')
      .minus({ weeks: WEEKS - 1 - i })
      .plus({ weeks: 1 }),
  ).map((d) => d.toJSDate());
  const [reflections, overdue, onTime] = await Promise.all([
    db.$queryRaw<{ quarter: string; asked: number; answered: number }[]>`
      SELECT to_char(r.scheduled_at AT TIME ZONE ${zone}, 'YYYY "Q"Q') AS quarter,
             count(f.id)::int AS asked, count(f.submitted_at)::int AS answered
        FROM review r JOIN reflection f ON f.review_id = r.id
       WHERE r.partnership_id = ANY(${ids}::uuid[]) AND r.status = 'held'
       GROUP BY 1 ORDER BY 1`,
    // Open at the end of each week, and past due by then (created before it, not yet closed).
    db.$queryRaw<{ week_end: Date; overdue: number }[]>`
      SELECT w.week_end, count(c.id)::int AS overdue
        FROM unnest(${weekEnds}::timestamptz[]) AS w(week_end)
        LEFT JOIN commitment c
          ON c.partnership_id = ANY(${ids}::uuid[]) AND c.due_at < w.week_end AND c.created_at < w.week_end
         AND (c.closed_at IS NULL OR c.closed_at >= w.week_end)
       GROUP BY w.week_end ORDER BY w.week_end`,
    // On time: done by its due date without ever having been overdue (an extension asked for after it
    // turned overdue moves the date, not the lateness).
    db.$queryRaw<{ side: string; done: number; on_time: number }[]>`
      SELECT c.side::text AS side, count(*)::int AS done,
             count(*) FILTER (
               WHERE c.closed_at <= c.due_at
                 AND NOT EXISTS (SELECT 1 FROM partnership_event e
                                  WHERE e.partnership_id = c.partnership_id AND e.type = 'commitment.overdue'
                                    AND e.data->>'commitmentId' = c.id::text))::int AS on_time
        FROM commitment c
       WHERE c.partnership_id = ANY(${ids}::uuid[]) AND c.status = 'done'
       GROUP BY c.side ORDER BY c.side`,
  ]);
  return {
    reflections,
    overdue: overdue.map((w) => ({
      week: DateTime.fromJSDate(w.week_end, { zone }).minus({ days: 1 }).toFormat('LLL d'),
      overdue: w.overdue,
    })),
    onTime: onTime.map((s) => ({ side: s.side, done: s.done, onTime: s.on_time })),
  };
}

import type { Request, Response } from 'express';
import { DateTime } from 'luxon';
import type { ComponentChildren } from 'preact';
import { z } from 'zod';
import { pages } from '../../core/pages.js';
import type { PersonPrincipal } from '../../core/people/principal.js';
import { partnershipScope, visibleCohortId } from '../../core/people/rights.js';
import { chosenZone } from '../../core/people/zone.js';
import { cohortCalendar, newFeed } from '../../core/reviews/calendar-feed.js';
import type { Db } from '../../lib/db/client.js';
import { Status } from '../http/format.js';
import { CohortSelect, Crumb, Form } from '../http/layout.js';
import { MonthGrid } from '../http/month.js';
import type { Outcome, PageContext } from '../http/pages.js';

/**
 * The cohort calendar: a month of every review the reader may see (of one cohort, when chosen), in
 * the reader's zone, with the month before and after one link away, and the cohort's calendar to
 * download or subscribe to in a calendar app.
 */

const params = z.object({
  cohort: z.uuid().optional().catch(undefined),
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/)
    .optional()
    .catch(undefined),
});

export async function calendarPage(ctx: PageContext): Promise<Outcome> {
  const { db } = ctx.deps;
  const f = params.parse({ ...ctx.req.query, ...(ctx.req.method === 'POST' ? ctx.req.body : {}) });
  const readerZone = await chosenZone(db, ctx.me.id);
  const where = { AND: [partnershipScope(ctx.me), f.cohort ? { cohortId: f.cohort } : {}] };
  const first = await db.partnership.findFirst({ where, select: { timeZone: true }, orderBy: { name: 'asc' } });
  const zone = readerZone ?? first?.timeZone ?? 'UTC';
  const month = (f.month ? DateTime.fromFormat(f.month, 'yyyy-LL', { zone }) : DateTime.now().setZone(zone)).startOf('month');
  const reviews = await db.review.findMany({
    where: { partnership: where, scheduledAt: { gte: month.toJSDate(), lt: month.plus({ months: 1 }).toJSDate() } },
    include: { partnership: { select: { name: true } } },
    orderBy: { scheduledAt: 'asc' },
  });
  const cohorts = await db.cohort.findMany({
    where: { partnerships: { some: partnershipScope(ctx.me) } },
    select: { id: true, name: true },
    orderBy: { name: 'asc' },
  });
  const byDay = new Map<number, ComponentChildren[]>();
  for (const r of reviews) {
    const day = DateTime.fromJSDate(r.scheduledAt, { zone }).day;
    byDay.set(day, [
      ...(byDay.get(day) ?? []),
      <>
        <a href={pages.review(r.partnershipId, r.id)}>
          {DateTime.fromJSDate(r.scheduledAt, { zone }).toFormat('h:mm a')} {r.partnership.name} #{r.sequence}
        </a>{' '}
        {r.status !== 'scheduled' && <Status value={r.status} />}
      </>,
    ]);
  }
  const link = (m: DateTime) =>
    `/dashboard/calendar?${new URLSearchParams({ ...(f.cohort && { cohort: f.cohort }), month: m.toFormat('yyyy-LL') })}`;
  const title = month.toFormat('LLLL yyyy');
  return {
    title: `Calendar: ${title}`,
    body: (
      <>
        <Crumb href="/dashboard">Dashboard</Crumb>
        <h1>Reviews in {title}</h1>
        <form method="get" action="/dashboard/calendar" class="filters" aria-label="Choose the cohort and month">
          <CohortSelect name="cohort" cohorts={cohorts} value={f.cohort} anyLabel="All I can see" />
          <div class="field">
            <label for="f-month">Month</label>
            <input id="f-month" name="month" type="month" value={month.toFormat('yyyy-LL')} />
          </div>
          <button type="submit">Show</button>
        </form>
        <nav class="month-nav" aria-label="Months">
          <a href={link(month.minus({ months: 1 }))}>← {month.minus({ months: 1 }).toFormat('LLLL')}</a>
          <a href={link(month.plus({ months: 1 }))}>{month.plus({ months: 1 }).toFormat('LLLL')} →</a>
        </nav>
        <p class="summary">
          {reviews.length} review{reviews.length === 1 ? '' : 's'}, times in {zone}.
        </p>
        <MonthGrid month={month} items={byDay} />
        {f.cohort && (
          <section aria-labelledby="subscribe">
            <h2 id="subscribe">This cohort in your calendar</h2>
            <p>
              <a href={`/dashboard/calendar.ics?cohort=${f.cohort}`}>Download its reviews (.ics)</a>, or subscribe in a calendar app: the
              address shows every review of the cohort you can see, as long as you can.
            </p>
            <Form action="/dashboard/calendar/feed" csrf={ctx.csrf} label="Make a subscription address">
              <input type="hidden" name="cohort" value={f.cohort} />
              <button type="submit" class="secondary">
                Make a subscription address
              </button>
            </Form>
          </section>
        )}
      </>
    ),
  };
}

/** A secret address for the chosen cohort's calendar, shown on the page once. */
export async function makeCohortFeed(ctx: PageContext): Promise<Outcome> {
  const cohort = params.parse(ctx.req.body ?? {}).cohort;
  if (!cohort) return calendarPage(ctx);
  const { url } = await newFeed(ctx.deps.db, ctx.me, { cohortId: await visibleCohortId(ctx.deps.db, ctx.me, cohort) }, ctx.deps.publicUrl);
  // After the post, a page of its own: reloading it makes no second address.
  return {
    redirect: `/dashboard/calendar?${new URLSearchParams({ cohort })}`,
    flash: `Subscribe your calendar app to ${url} (shown this once; keep it private).`,
    secret: true,
  };
}

export async function cohortIcs(db: Db, me: PersonPrincipal, req: Request, res: Response, publicUrl: string): Promise<void> {
  const cohort = params.parse(req.query).cohort;
  const ics = await cohortCalendar(db, me, cohort ?? '00000000-0000-0000-0000-000000000000', publicUrl);
  res
    .set({
      'Content-Type': 'text/calendar; charset=utf-8',
      'Content-Disposition': 'attachment; filename="tandem-cohort.ics"',
      'Cache-Control': 'private, no-store',
    })
    .send(ics);
}

import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { type ApiStack, useApiStack } from '../support/api-stack.js';
import { waitFor } from '../support/mailbox.js';

/**
 * A calendar feed holds the year the schedule preview showed, not only the review planned next, and
 * only the deadlines that are still open.
 */
const stack: ApiStack = useApiStack('tandem-feeds');

const events = (ics: string) =>
  new ICAL.Component(ICAL.parse(ics)).getAllSubcomponents('vevent').map((v) => {
    const e = new ICAL.Event(v);
    return { uid: e.uid, summary: e.summary, start: e.startDate.toJSDate().getTime() };
  });

describe('calendar feeds', () => {
  it("show a quarterly partnership's reviews of the coming year, and a person's open deadlines only", async () => {
    const start = DateTime.now().setZone('America/Chicago').plus({ days: 7 }).set({ hour: 15, minute: 30, second: 0, millisecond: 0 });
    const created = await stack.call<{ id: string }>(stack.adminKey, 'POST', '/partnerships', {
      name: 'Feed literacy',
      district: { name: 'Feed USD' },
      partner: { name: 'Feed Partners' },
      timeZone: 'America/Chicago',
      recurrence: { rrule: 'FREQ=MONTHLY;INTERVAL=3', start: start.toFormat("yyyy-MM-dd'T'HH:mm") },
      members: [{ name: 'Fay Feed', email: 'fay@feed.example', role: 'district_lead' }],
    });
    expect(created.status, created.text).toBe(201);
    const id = created.json.id;
    await waitFor('the first review', async () => (await stack.database.db.review.count({ where: { partnershipId: id } })) === 1);
    const feed = await stack.call(stack.adminKey, 'GET', `/partnerships/${id}/calendar.ics`);
    const reviews = events(feed.text).filter((e) => e.summary.startsWith('Partnership review'));
    // The one planned, then the year its recurrence brings: quarterly, four more within twelve months.
    expect(reviews.map((r) => r.start)).toEqual([0, 3, 6, 9, 12].map((m) => start.plus({ months: m }).toMillis()));
    expect(new Set(reviews.map((r) => r.uid)).size).toBe(5);

    const fay = await stack.database.db.person.findUniqueOrThrow({ where: { email: 'fay@feed.example' } });
    const request = await stack.call<{ id: string }>(stack.adminKey, 'POST', `/partnerships/${id}/evidence-requests`, {
      ownerEmail: 'fay@feed.example',
      description: 'Walkthrough notes',
      kinds: ['observation'],
      dueAt: start.plus({ days: 20 }).toISO(),
    });
    const mine = async () => events((await stack.call(stack.adminKey, 'GET', `/people/${fay.id}/calendar.ics`)).text).map((e) => e.summary);
    expect(await mine()).toContain('Evidence due: Walkthrough notes');
    const submitted = await stack.call(stack.adminKey, 'POST', `/evidence-requests/${request.json.id}/items`, {
      kind: 'observation',
      text: 'Notes',
    });
    expect(submitted.status, submitted.text).toBe(201);
    expect(await mine()).not.toContain('Evidence due: Walkthrough notes');
  });
});

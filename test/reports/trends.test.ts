import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trends } from '../../core/reports/trends.js';
import { renderChart } from '../../web/reports/charts.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createPartnershipRecord } from '../support/fixtures.js';

/** The figures of the dashboard's charts, and how they are drawn when there is little to draw. */
describe("the dashboard's charts", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('counts as on time only what was done by its due date without ever being overdue', async () => {
    const db = database.db;
    const now = Date.now();
    const DAY = 86_400_000;
    const p = await createPartnershipRecord(db, { firstReviewAt: new Date(now + 30 * DAY), reminderOffsets: ['P1D'], plannedAt: now });
    const owner = p.members[0]?.personId as string;
    const base = { partnershipId: p.id, ownerId: owner, side: 'district' as const, status: 'done' as const };
    // Done in time.
    await db.commitment.create({ data: { ...base, description: 'in time', dueAt: new Date(now + DAY), closedAt: new Date(now) } });
    // Overdue and escalated, then extended, then done before the new date: late.
    const late = await db.commitment.create({
      data: { ...base, description: 'extended after overdue', dueAt: new Date(now + 5 * DAY), closedAt: new Date(now) },
    });
    await db.partnershipEvent.create({
      data: {
        partnershipId: p.id,
        idempotencyKey: `commitment:${late.id}:overdue`,
        type: 'commitment.overdue',
        actor: 'system',
        data: { commitmentId: late.id },
      },
    });
    // Done after its date.
    await db.commitment.create({ data: { ...base, description: 'after its date', dueAt: new Date(now - DAY), closedAt: new Date(now) } });
    const t = await trends(db, { id: p.id }, 'UTC', now);
    expect(t.onTime).toEqual([{ side: 'district', done: 3, onTime: 1 }]);
  });

  it('draws whole numbers on the overdue axis when every week is zero', async () => {
    const weeks = Array.from({ length: 12 }, (_, i) => ({ week: `Jan ${i + 1}`, overdue: 0 }));
    const svg = await renderChart('overdue', { reflections: [], overdue: weeks, onTime: [] });
    expect(svg).not.toMatch(/0\.0{3,}/);
    expect(svg).toMatch(/>0</);
  });
});

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createPartnershipRecord } from '../support/fixtures.js';

/**
 * The timeline is the audit: PostgreSQL itself refuses to change or remove an event, and to delete
 * a partnership (which would take its timeline along), whoever is connected, with or without Prisma.
 */
describe('the audit trail is append-only in the database', () => {
  let database: TestDatabase;
  let sql: pg.Client;
  let partnershipId: string;
  let eventId: bigint;
  beforeAll(async () => {
    database = await createTestDatabase();
    sql = new pg.Client({ connectionString: database.url });
    await sql.connect();
    const p = await createPartnershipRecord(database.db, {
      firstReviewAt: new Date(Date.now() + 86_400_000),
      reminderOffsets: [],
      plannedAt: Date.now(),
    });
    partnershipId = p.id;
    const event = await database.db.partnershipEvent.create({
      data: {
        partnershipId,
        idempotencyKey: `audit-test:${partnershipId}`,
        type: 'review.planned',
        actor: 'system',
        data: { reviewId: p.review.id },
      },
    });
    eventId = event.id;
  });
  afterAll(async () => {
    await sql?.end();
    await database?.drop();
  });

  const refused = /append-only: (UPDATE|DELETE|TRUNCATE) refused/;

  it('records new events', async () => {
    await database.db.partnershipEvent.create({
      data: { partnershipId, idempotencyKey: `audit-test:${partnershipId}:2`, type: 'partnership.paused', actor: 'system' },
    });
    expect(await database.db.partnershipEvent.count({ where: { partnershipId } })).toBe(2);
  });

  it('refuses to change or remove an event, through Prisma or plain SQL, and keeps it as it was', async () => {
    await expect(database.db.partnershipEvent.update({ where: { id: eventId }, data: { type: 'review.held' } })).rejects.toThrow(refused);
    await expect(database.db.partnershipEvent.delete({ where: { id: eventId } })).rejects.toThrow(refused);
    await expect(sql.query('UPDATE partnership_event SET actor_name = $1 WHERE id = $2', ['someone else', eventId])).rejects.toThrow(
      refused,
    );
    await expect(sql.query('DELETE FROM partnership_event')).rejects.toThrow(refused);
    await expect(sql.query('TRUNCATE partnership_event CASCADE')).rejects.toThrow(refused);
    const kept = await database.db.partnershipEvent.findUniqueOrThrow({ where: { id: eventId } });
    expect({ type: kept.type, actor: kept.actor, actorName: kept.actorName }).toEqual({
      type: 'review.planned',
      actor: 'system',
      actorName: null,
    });
    expect(await database.db.partnershipEvent.count({ where: { partnershipId } })).toBe(2);
  });

  it('refuses to delete a partnership, which is ended instead, and keeps its timeline', async () => {
    await expect(database.db.partnership.delete({ where: { id: partnershipId } })).rejects.toThrow(refused);
    await expect(sql.query('DELETE FROM partnership WHERE id = $1', [partnershipId])).rejects.toThrow(refused);
    await expect(sql.query('TRUNCATE partnership CASCADE')).rejects.toThrow(refused);
    expect(await database.db.partnership.count({ where: { id: partnershipId } })).toBe(1);
    // Ending is an update of the partnership, which stays allowed.
    await database.db.partnership.update({ where: { id: partnershipId }, data: { status: 'ended_early' } });
    expect((await database.db.partnership.findUniqueOrThrow({ where: { id: partnershipId } })).status).toBe('ended_early');
  });
});

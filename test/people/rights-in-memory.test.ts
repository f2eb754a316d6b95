import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyPrincipal, PersonPrincipal, Principal } from '../../core/people/principal.js';
import { partnershipScope, seesPartnership } from '../../core/people/rights.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/**
 * Who sees a partnership is decided in SQL (partnershipScope, for lists and every other read) and in
 * memory (seesPartnership, for the API's recent reads of one partnership). Both must give the same
 * answer for every kind of caller, a key whose cohort or organization is gone included: this asks
 * PostgreSQL and the function the same questions, every principal against every partnership.
 */
describe('who sees a partnership: in memory as in SQL', () => {
  let database: TestDatabase;
  const ids = {} as Record<'d1' | 'd2' | 'p1' | 'p2' | 'a' | 'b' | 'ana' | 'bo' | 'cy', string>;
  let partnerships: { id: string; name: string }[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    const db = database.db;
    const org = async (kind: 'district' | 'partner', name: string) =>
      (await db.organization.create({ data: { kind, name, timeZone: 'America/Chicago' } })).id;
    ids.d1 = await org('district', 'Lakeside USD');
    ids.d2 = await org('district', 'Hillview USD');
    ids.p1 = await org('partner', 'Center for School Change');
    ids.p2 = await org('partner', 'Reading Works');
    ids.a = (await db.cohort.create({ data: { name: 'Cohort A' } })).id;
    ids.b = (await db.cohort.create({ data: { name: 'Cohort B' } })).id;
    const person = async (name: string) => (await db.person.create({ data: { name, email: `${name}@rights.example` } })).id;
    ids.ana = await person('ana');
    ids.bo = await person('bo');
    ids.cy = await person('cy');
    const made = [
      { name: 'd1·p1 in A, Ana', districtId: ids.d1, partnerId: ids.p1, cohortId: ids.a, members: [ids.ana] },
      { name: 'd1·p2, no cohort, Bo', districtId: ids.d1, partnerId: ids.p2, cohortId: null, members: [ids.bo] },
      { name: 'd2·p1 in B, Ana and Bo', districtId: ids.d2, partnerId: ids.p1, cohortId: ids.b, members: [ids.ana, ids.bo] },
      { name: 'd2·p2, no cohort, nobody', districtId: ids.d2, partnerId: ids.p2, cohortId: null, members: [] },
    ];
    partnerships = [];
    for (const m of made) {
      const p = await db.partnership.create({
        data: {
          name: m.name,
          districtId: m.districtId,
          partnerId: m.partnerId,
          cohortId: m.cohortId,
          timeZone: 'America/Chicago',
          reminderOffsets: [],
          members: { create: m.members.map((personId, i) => ({ personId, role: i === 0 ? 'district_lead' : 'participant' })) },
        },
      });
      partnerships.push({ id: p.id, name: m.name });
    }
  });
  afterAll(async () => {
    await database?.drop();
  });

  const key = (role: KeyPrincipal['role'], over: Partial<KeyPrincipal> = {}): KeyPrincipal => ({
    kind: 'key',
    id: `key-${role}`,
    name: `${role} key`,
    role,
    cohortId: null,
    organizationId: null,
    ...over,
  });
  const person = (id: string, over: Partial<PersonPrincipal> = {}): PersonPrincipal => ({
    kind: 'person',
    id,
    name: 'someone',
    email: 'someone@rights.example',
    isAdmin: false,
    staff: [],
    coordinates: [],
    via: 'session',
    ...over,
  });

  it('gives the same answer as partnershipScope for every caller and partnership', async () => {
    const principals: [string, Principal][] = [
      ['admin key', key('admin')],
      ['coordinator key of A', key('coordinator', { cohortId: ids.a })],
      ['coordinator key of B', key('coordinator', { cohortId: ids.b })],
      ['coordinator key whose cohort is gone', key('coordinator')],
      ['district key of d1', key('district', { organizationId: ids.d1 })],
      ['district key of d2', key('district', { organizationId: ids.d2 })],
      ['district key whose organization is gone', key('district')],
      ['partner key of p1', key('partner', { organizationId: ids.p1 })],
      ['partner key whose organization is gone', key('partner')],
      ['partner key naming a district', key('partner', { organizationId: ids.d1 })],
      ['installation admin', person(ids.cy, { isAdmin: true })],
      ['Ana, a member', person(ids.ana)],
      ['Bo, a member', person(ids.bo)],
      ['a stranger', person(ids.cy)],
      ['coordinator of A', person(ids.cy, { coordinates: [ids.a] })],
      ['admin of d1', person(ids.cy, { staff: [{ organizationId: ids.d1, isAdmin: true }] })],
      ['staff of d1, not its admin', person(ids.cy, { staff: [{ organizationId: ids.d1, isAdmin: false }] })],
      ['admin of p2', person(ids.cy, { staff: [{ organizationId: ids.p2, isAdmin: true }] })],
      [
        'Bo, admin of p1 and coordinator of B',
        person(ids.bo, { staff: [{ organizationId: ids.p1, isAdmin: true }], coordinates: [ids.b] }),
      ],
    ];
    const inSql: string[] = [];
    const inMemory: string[] = [];
    for (const [who, principal] of principals) {
      for (const p of partnerships) {
        const row = await database.db.partnership.findFirst({
          where: { AND: [{ id: p.id }, partnershipScope(principal)] },
          select: { id: true },
        });
        const read = await database.db.partnership.findUniqueOrThrow({ where: { id: p.id }, include: { members: true } });
        if (row) inSql.push(`${who} sees ${p.name}`);
        if (seesPartnership(principal, read)) inMemory.push(`${who} sees ${p.name}`);
      }
    }
    expect(inMemory).toEqual(inSql);
    // Not a vacuous agreement: some see some, nobody but the admins sees all.
    expect(inSql.length).toBeGreaterThan(principals.length);
    expect(inSql.length).toBeLessThan(principals.length * partnerships.length);
    expect(inSql.filter((s) => s.startsWith('a stranger'))).toEqual([]);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { type ApiStack, threeMembers, useApiStack } from '../support/api-stack.js';
import { DAY } from '../support/time.js';
import { mailTo } from '../support/web.js';

/** Changing a partnership's roster after it began, and someone leaving with open work, on the real stack. */
const stack: ApiStack = useApiStack('tandem-roster');
const soon = (ms: number) => new Date(Date.now() + ms).toISOString();

describe('the roster of a running partnership', () => {
  let id: string;
  const person = async (email: string) => (await stack.database.db.person.findUniqueOrThrow({ where: { email } })).id;
  beforeAll(async () => {
    id = (await stack.createPartnership('Lakeside literacy', threeMembers('roster.example'))).id;
    for (const description of ['Share coaching logs', 'Book the data room']) {
      const c = await stack.call(stack.adminKey, 'POST', `/partnerships/${id}/commitments`, {
        ownerEmail: 'cal@roster.example',
        side: 'district',
        description,
        dueAt: soon(30 * DAY),
      });
      expect(c.status, c.text).toBe(201);
    }
    const e = await stack.call(stack.adminKey, 'POST', `/partnerships/${id}/evidence-requests`, {
      ownerEmail: 'cal@roster.example',
      description: 'Observation notes',
      kinds: ['observation'],
      dueAt: soon(30 * DAY),
    });
    expect(e.status, e.text).toBe(201);
  });

  it('adds a member once, and changes roles while keeping a lead', async () => {
    const added = await stack.call<{ personId: string; role: string }>(stack.adminKey, 'POST', `/partnerships/${id}/members`, {
      name: 'Dee Park',
      email: 'Dee@Roster.example',
      role: 'participant',
    });
    expect([added.status, added.json.role]).toEqual([201, 'participant']);
    const again = await stack.call<{ detail: string }>(stack.adminKey, 'POST', `/partnerships/${id}/members`, {
      name: 'Dee Park',
      email: 'dee@roster.example',
      role: 'district_lead',
    });
    expect([again.status, again.json.detail]).toEqual([409, 'dee@roster.example is already a member of this partnership']);

    const ben = await person('ben@roster.example');
    const ana = await person('ana@roster.example');
    expect((await stack.call(stack.adminKey, 'POST', `/partnerships/${id}/members/${ben}/role`, { role: 'participant' })).status).toBe(200);
    const last = await stack.call<{ detail: string }>(stack.adminKey, 'POST', `/partnerships/${id}/members/${ana}/remove`);
    expect([last.status, last.json.detail]).toEqual([409, expect.stringMatching(/keeps at least one district or partner lead/)]);
    const demote = await stack.call(stack.adminKey, 'POST', `/partnerships/${id}/members/${ana}/role`, { role: 'participant' });
    expect(demote.status).toBe(409);
    const events = await stack.database.db.partnershipEvent.findMany({
      where: { partnershipId: id, type: { startsWith: 'member.' } },
      orderBy: { id: 'asc' },
    });
    expect(events.map((e) => [e.type, e.actor])).toEqual([
      ['member.added', 'api_key'],
      ['member.role_changed', 'api_key'],
    ]);
  });

  it('hands everything someone owns to another member and lets them leave, in one step, telling both', async () => {
    const cal = await person('cal@roster.example');
    const ana = await person('ana@roster.example');
    const refused = await stack.call<{ detail: string }>(stack.adminKey, 'POST', `/partnerships/${id}/members/${cal}/remove`);
    expect([refused.status, refused.json.detail]).toEqual([409, expect.stringMatching(/still owns 3 open .* hand them over first/)]);

    const handed = await stack.call<{ handedOver: number }>(stack.adminKey, 'POST', `/partnerships/${id}/members/${cal}/handover`, {
      to: ana,
      reason: 'moved to another school',
      leaves: true,
    });
    expect([handed.status, handed.json]).toEqual([200, { handedOver: 3 }]);

    const db = stack.database.db;
    expect(await db.commitment.count({ where: { partnershipId: id, ownerId: ana } })).toBe(2);
    expect(await db.evidenceRequest.count({ where: { partnershipId: id, ownerId: ana } })).toBe(1);
    expect(await db.partnershipMember.count({ where: { partnershipId: id, personId: cal } })).toBe(0);
    const events = await db.partnershipEvent.findMany({ where: { partnershipId: id, type: { endsWith: 'reassigned' } } });
    expect(
      events
        .map((e) => [e.type, (e.data as { fromId: string; toId: string; reason: string }).toId, (e.data as { reason: string }).reason])
        .sort(),
    ).toEqual([
      ['commitment.reassigned', ana, 'moved to another school'],
      ['commitment.reassigned', ana, 'moved to another school'],
      ['evidence.reassigned', ana, 'moved to another school'],
    ]);
    for (const to of ['ana@roster.example', 'cal@roster.example']) {
      const mail = await mailTo(stack, to, /^Cal Moss's open work in Lakeside literacy is now Ana Diaz's/);
      expect(mail.text).toContain('Reason: moved to another school');
      for (const item of ['Commitment: Share coaching logs', 'Commitment: Book the data room', 'Evidence request: Observation notes'])
        expect(mail.text).toContain(item);
    }
    // Gone from the partnership: not a member to hand over from again.
    const again = await stack.call(stack.adminKey, 'POST', `/partnerships/${id}/members/${cal}/handover`, { to: ana });
    expect(again.status).toBe(404);
  });
});

describe('the members of a new partnership', () => {
  it('makes nobody staff of an organization for being named a member, and keeps the side each member is on', async () => {
    const staffOf = async (email: string) =>
      (
        await stack.database.db.staff.findMany({
          where: { person: { email } },
          include: { organization: { select: { name: true } } },
        })
      )
        .map((s) => s.organization.name)
        .sort();
    const created = await stack.createPartnership('Hillcrest numeracy', [
      { name: 'Gus Lind', email: 'gus@roster.example', role: 'district_lead' },
      { name: 'Eve Stone', email: 'eve@roster.example', role: 'partner_lead' },
      { name: 'Fay Roe', email: 'fay@roster.example', role: 'participant', side: 'partner' },
      { name: 'Ben Ode', email: 'ben@roster.example', role: 'participant' },
    ]);
    const members = await stack.call<{ members: { email: string; role: string; side: string }[] }>(
      stack.adminKey,
      'GET',
      `/partnerships/${created.id}`,
    );
    expect(members.json.members.map((m) => [m.email, m.role, m.side]).sort()).toEqual([
      ['ben@roster.example', 'participant', 'district'],
      ['eve@roster.example', 'partner_lead', 'partner'],
      ['fay@roster.example', 'participant', 'partner'],
      ['gus@roster.example', 'district_lead', 'district'],
    ]);
    // Naming someone first gives no organization a hold on them: staff roles are granted explicitly.
    for (const who of ['gus', 'eve', 'fay', 'ben']) expect(await staffOf(`${who}@roster.example`)).toEqual([]);
  });
});

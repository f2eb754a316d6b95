import { describe, expect, it } from 'vitest';
import { RECENT_READ_MS } from '../../api/partnerships/recent-reads.js';
import { type ApiStack, useApiStack } from '../support/api-stack.js';
import { waitFor } from '../support/mailbox.js';

/**
 * GET /partnerships/:id answers from the API's read of the same partnership in the last second
 * (api/partnerships/recent-reads.ts). What that must never change: who sees it (each caller is
 * judged on the shared read), and a change made through the API is seen by the next read. What it
 * may: a change made elsewhere (a worker, another replica) shows within the second.
 */
const stack: ApiStack = useApiStack('tandem-recent-reads');

type Detail = { id: string; name: string; members: { email: string }[]; open: { commitments: { open: number } } };

describe('recent reads of a partnership', () => {
  it('judge every caller on the shared read: another tenant is refused what the admin has just read', async () => {
    const own = await stack.districtWithKey('Ashford USD');
    const other = await stack.districtWithKey('Brook USD');
    const created = await stack.call<{ id: string }>(own.key, 'POST', '/partnerships', {
      name: 'Ashford reading',
      district: { id: own.id },
      partner: { name: 'Reading Works' },
      timeZone: 'America/Chicago',
      firstReviewAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      members: [
        { name: 'Ana Ash', email: 'ana@ashford.example', role: 'district_lead' },
        { name: 'Ben Read', email: 'ben@reading.example', role: 'partner_lead' },
      ],
    });
    expect(created.status, created.text).toBe(201);
    const path = `/partnerships/${created.json.id}`;
    // Side by side, the admin's read shared by the other two.
    const [admin, mine, theirs] = await Promise.all([
      stack.call<Detail>(stack.adminKey, 'GET', path),
      stack.call<Detail>(own.key, 'GET', path),
      stack.call<{ detail: string }>(other.key, 'GET', path),
    ]);
    expect([admin.status, mine.status, mine.json.name]).toEqual([200, 200, 'Ashford reading']);
    expect([theirs.status, theirs.json.detail]).toEqual([404, `Partnership ${created.json.id} does not exist`]);
    // And again, one after the other, each within the second of the admin's read.
    expect((await stack.call(stack.adminKey, 'GET', path)).status).toBe(200);
    expect((await stack.call(other.key, 'GET', path)).status).toBe(404);
    expect((await stack.call(null, 'GET', path)).status).toBe(401);
  });

  it('show a change made through the API at once, and one made elsewhere within the second', async () => {
    const { id } = await stack.createPartnership('Recent', [
      { name: 'Ana Diaz', email: 'ana@recent.example', role: 'district_lead' },
      { name: 'Ben Ode', email: 'ben@recent.example', role: 'partner_lead' },
    ]);
    const path = `/partnerships/${id}`;
    for (let i = 1; i <= 5; i++) {
      expect((await stack.call<Detail>(stack.adminKey, 'GET', path)).json.name).toBe(i === 1 ? 'Recent' : `Recent ${i - 1}`);
      const renamed = await stack.call(stack.adminKey, 'PATCH', path, { name: `Recent ${i}` });
      expect(renamed.status, renamed.text).toBe(200);
      expect((await stack.call<Detail>(stack.adminKey, 'GET', path)).json.name).toBe(`Recent ${i}`);
    }
    // A change made elsewhere: straight in the database, as a worker or another replica would. The
    // promise is RECENT_READ_MS; the limit is generous for a loaded machine.
    await stack.call<Detail>(stack.adminKey, 'GET', path);
    await stack.database.db.partnership.update({ where: { id }, data: { name: 'Changed elsewhere' } });
    const seen = async () => (await stack.call<Detail>(stack.adminKey, 'GET', path)).json.name === 'Changed elsewhere';
    await waitFor('the change made elsewhere', seen, RECENT_READ_MS + 60_000);
  });

  it('answer each of many reads asked for at once with its own partnership (they are read together)', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const { id } = await stack.createPartnership(`Together ${i}`, [
        { name: 'Ana Diaz', email: `ana.${i}@together.example`, role: 'district_lead' },
        { name: 'Ben Ode', email: `ben.${i}@together.example`, role: 'partner_lead' },
      ]);
      ids.push(id);
      // Partnership i has i open commitments, so that each read's progress shows whose it is.
      const lead = await stack.database.db.partnershipMember.findFirstOrThrow({ where: { partnershipId: id, role: 'district_lead' } });
      for (let k = 0; k < i; k++) {
        await stack.database.db.commitment.create({
          data: {
            partnershipId: id,
            ownerId: lead.personId,
            side: 'district',
            description: `Pledge ${k}`,
            dueAt: new Date(Date.now() + 86_400_000),
          },
        });
      }
    }
    const unknown = '00000000-0000-4000-8000-000000000000';
    // Twice, in reverse the second time; the last asks for the first by its id in capitals.
    const asked = [...ids, unknown, ...[...ids].reverse(), (ids[0] as string).toUpperCase()];
    const answers = await Promise.all(asked.map((id) => stack.call<Detail>(stack.adminKey, 'GET', `/partnerships/${id}`)));
    expect(answers.map((a) => a.status)).toEqual(asked.map((id) => (id === unknown ? 404 : 200)));
    for (const [n, a] of answers.entries()) {
      if (a.status !== 200) continue;
      const i = ids.indexOf((asked[n] as string).toLowerCase());
      expect([a.json.id, a.json.name, a.json.open.commitments.open]).toEqual([ids[i], `Together ${i}`, i]);
    }
  });
});

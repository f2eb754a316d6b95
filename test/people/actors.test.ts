import { describe, expect, it } from 'vitest';
import { type ApiStack, useApiStack } from '../support/api-stack.js';
import { DAY } from '../support/time.js';

/** Every change names who made it, in the timeline and on the extensions it left. */
const stack: ApiStack = useApiStack('tandem-actors');
const soon = (ms: number) => new Date(Date.now() + ms).toISOString();

describe('who acted', () => {
  it('names the key and the person it acted for on an extension and in the timeline', async () => {
    const org = await stack.districtWithKey('Actor USD', 'America/Chicago');
    const p = await stack.call<{ id: string }>(org.key, 'POST', '/partnerships', {
      name: 'Actor literacy',
      district: { id: org.id },
      partner: { name: 'Actor Partners' },
      timeZone: 'America/Chicago',
      firstReviewAt: soon(20 * DAY),
      members: [{ name: 'Ana Diaz', email: 'ana@actor.example', role: 'district_lead' }],
    });
    expect(p.status, p.text).toBe(201);
    const staff = await stack.call(org.key, 'POST', `/organizations/${org.id}/staff`, { email: 'ana@actor.example' });
    expect(staff.status, staff.text).toBe(201);
    const c = await stack.call<{ id: string }>(org.key, 'POST', `/partnerships/${p.json.id}/commitments`, {
      ownerEmail: 'ana@actor.example',
      side: 'district',
      description: 'Share the plan',
      dueAt: soon(10 * DAY),
    });
    const extended = await stack.call(org.key, 'POST', `/commitments/${c.json.id}/extend`, {
      dueAt: soon(20 * DAY),
      reason: 'Board moved',
    });
    expect(extended.status, extended.text).toBe(200);
    const ana = await stack.database.db.person.findUniqueOrThrow({ where: { email: 'ana@actor.example' } });
    const got = await stack.call<{ extensions: { by: unknown; reason: string }[] }>(org.key, 'GET', `/commitments/${c.json.id}`);
    expect(got.json.extensions).toEqual([
      expect.objectContaining({
        reason: 'Board moved',
        by: { kind: 'api_key', id: expect.any(String), name: 'Actor USD staff', onBehalfOf: 'Ana Diaz' },
      }),
    ]);
    const timeline = await stack.call<{ items: { type: string; actor: string; by: unknown }[] }>(
      org.key,
      'GET',
      `/partnerships/${p.json.id}/timeline?type=commitment.extended`,
    );
    expect(timeline.json.items.map((e) => [e.type, e.actor, e.by])).toEqual([
      [
        'commitment.extended',
        'api_key',
        { id: expect.any(String), name: 'Actor USD staff', onBehalfOf: { id: ana.id, name: 'Ana Diaz' }, via: null },
      ],
    ]);
  });
});

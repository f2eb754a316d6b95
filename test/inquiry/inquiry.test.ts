import { beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../lib/auth/api-keys.js';
import { type ApiStack, useApiStack } from '../support/api-stack.js';
import { waitFor } from '../support/mailbox.js';
import { DAY } from '../support/time.js';

/** Inquiry cycles through the API on the real stack: starting, recording in order, refusals, a cohort at once. */
const stack: ApiStack = useApiStack('tandem-inquiry-api');
const soon = (ms: number) => new Date(Date.now() + ms).toISOString();
const email = (who: string) => `${who}@inquiry.example`;

interface Cycle {
  id: string;
  number: number;
  status: string;
  currentPhase: string | null;
  phases: { phase: string; status: string; owner: { name: string }; record: unknown; commitmentId: string | null }[];
}

const phases = (owner: (phase: string) => object) =>
  Object.fromEntries(['plan', 'do', 'study', 'act', 'reflect'].map((ph, i) => [ph, { ...owner(ph), dueAt: soon((i + 1) * 14 * DAY) }]));

async function partnership(name: string, cohortId: string, withParticipant: boolean) {
  const res = await stack.call<{ id: string }>(stack.adminKey, 'POST', '/partnerships', {
    name,
    district: { name: `${name} USD` },
    partner: { name: `${name} Partners` },
    timeZone: 'America/Chicago',
    firstReviewAt: soon(60 * DAY),
    cohortId,
    members: [
      { name: 'Ana Diaz', email: email(`ana.${name}`), role: 'district_lead' },
      { name: 'Ben Ode', email: email(`ben.${name}`), role: 'partner_lead' },
      ...(withParticipant ? [{ name: 'Cal Moss', email: email(`cal.${name}`), role: 'participant' }] : []),
    ],
  });
  expect(res.status, res.text).toBe(201);
  await waitFor(`${name} to be active`, async () => {
    const p = await stack.database.db.partnership.findUniqueOrThrow({ where: { id: res.json.id } });
    return p.status === 'active';
  });
  return res.json.id;
}

describe('inquiry cycles through the API', () => {
  let cohortId: string;
  let ids: string[];
  beforeAll(async () => {
    const cohort = await stack.call<{ id: string }>(stack.adminKey, 'POST', '/cohorts', { name: 'Inquiry cohort' });
    cohortId = cohort.json.id;
    ids = [
      await partnership('maple', cohortId, true),
      await partnership('birch', cohortId, true),
      await partnership('cedar', cohortId, false),
    ];
  });

  it('refuses a bad start with every mistake named, and writes nothing', async () => {
    const [id] = ids as [string];
    const bad = await stack.call<{ errors: { path: string }[] }>(stack.adminKey, 'POST', `/partnerships/${id}/inquiry-cycles`, {
      question: 'Do data chats help?',
      phases: {
        ...phases(() => ({ ownerEmail: email('ana.maple') })),
        do: { ownerEmail: email('nobody'), dueAt: soon(14 * DAY) },
        study: { ownerRole: 'participant', ownerEmail: email('ana.maple'), dueAt: soon(42 * DAY) },
      },
    });
    expect(bad.status, bad.text).toBe(400);
    expect(bad.json.errors.map((e) => e.path)).toEqual(['phases.study.ownerEmail']);
    const misordered = await stack.call<{ errors: { path: string; message: string }[] }>(
      stack.adminKey,
      'POST',
      `/partnerships/${id}/inquiry-cycles`,
      {
        question: 'Do data chats help?',
        phases: { ...phases(() => ({ ownerRole: 'district_lead' })), do: { ownerEmail: email('nobody'), dueAt: soon(DAY) } },
      },
    );
    expect(misordered.status, misordered.text).toBe(400);
    expect(misordered.json.errors).toEqual([
      { path: 'phases.do.ownerEmail', message: 'is not a member of this partnership' },
      { path: 'phases.do.dueAt', message: "must come after the plan phase's" },
    ]);
    const extra = await stack.call(stack.adminKey, 'POST', `/partnerships/${id}/inquiry-cycles`, {
      question: 'Do data chats help?',
      phases: { ...phases(() => ({ ownerRole: 'district_lead' })), extra: { ownerRole: 'district_lead', dueAt: soon(DAY) } },
    });
    expect(extra.status).toBe(400);
    expect(await stack.database.db.inquiryCycle.count({ where: { partnershipId: id } })).toBe(0);
  });

  it('records the phases in order, by their owner or a lead, one record of a phase at a time', async () => {
    const [id] = ids as [string];
    const started = await stack.call<Cycle>(stack.adminKey, 'POST', `/partnerships/${id}/inquiry-cycles`, {
      question: 'Do weekly data chats raise grade 3 fluency?',
      phases: phases((ph) => ({ ownerEmail: email(ph === 'do' ? 'cal.maple' : 'ana.maple') })),
    });
    expect(started.status, started.text).toBe(201);
    expect([started.json.number, started.json.currentPhase, started.json.phases.slice(1).map((p) => p.status)]).toEqual([
      1,
      'plan',
      ['upcoming', 'upcoming', 'upcoming', 'upcoming'],
    ]);
    const cycle = `/partnerships/${id}/inquiry-cycles/${started.json.id}`;
    await waitFor('the plan phase to be under way', async () => {
      const c = await stack.call<Cycle>(stack.adminKey, 'GET', cycle);
      return c.json.phases[0]?.status === 'open' && c.json.phases[0].commitmentId;
    });

    // Out of order, another phase's fields, a commitment route: refused, nothing changes.
    const early = await stack.call<{ detail: string }>(stack.adminKey, 'POST', `${cycle}/phases/study`, { findings: 'none yet' });
    expect([early.status, early.json.detail]).toEqual([409, expect.stringMatching(/in its plan phase/)]);
    const mixed = await stack.call<{ errors: { path: string }[] }>(stack.adminKey, 'POST', `${cycle}/phases/plan`, {
      changeIdea: 'Chats',
      prediction: 'Up',
      measures: ['ORF'],
      findings: 'a study field',
    });
    expect(mixed.status).toBe(400);
    const planCommitment = (await stack.call<Cycle>(stack.adminKey, 'GET', cycle)).json.phases[0]?.commitmentId as string;
    const viaCommitment = await stack.call<{ detail: string }>(stack.adminKey, 'POST', `/commitments/${planCommitment}/complete`, {});
    expect([viaCommitment.status, viaCommitment.json.detail]).toEqual([409, expect.stringMatching(/record the phase on its cycle/)]);

    const plan = await stack.call<Cycle>(stack.adminKey, 'POST', `${cycle}/phases/plan`, {
      changeIdea: 'Ten-minute data chats every Monday',
      prediction: 'Fluency up 10 words a minute by spring',
      measures: ['ORF benchmark'],
    });
    expect([plan.status, plan.json.currentPhase, plan.json.phases[0]?.status]).toEqual([200, 'do', 'recorded']);
    expect((await stack.database.db.commitment.findUniqueOrThrow({ where: { id: planCommitment } })).status).toBe('done');

    // The do phase is Cal's: a key acts for him by default; two records at once make one.
    const both = await Promise.all([
      stack.call(stack.adminKey, 'POST', `${cycle}/phases/do`, { notes: 'Held 8 of 9 chats' }),
      stack.call(stack.adminKey, 'POST', `${cycle}/phases/do`, { notes: 'Held 8 of 9 chats' }),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    const recorded = await stack.database.db.partnershipEvent.findMany({
      where: { partnershipId: id, type: 'inquiry.phase_recorded' },
      orderBy: { id: 'asc' },
    });
    expect(recorded.map((e) => (e.data as { phase: string }).phase)).toEqual(['plan', 'do']);
    expect(recorded[1]?.onBehalfOfName).toBe('Cal Moss');

    await stack.call(stack.adminKey, 'POST', `${cycle}/phases/study`, { findings: 'Up 6 words a minute' });
    await stack.call(stack.adminKey, 'POST', `${cycle}/phases/act`, { decision: 'adopt' });
    const closed = await stack.call<Cycle & { nextCycleId: string | null; decision: string }>(
      stack.adminKey,
      'POST',
      `${cycle}/phases/reflect`,
      { worked: 'The routine', didNot: 'Mondays', improve: 'Tuesdays' },
    );
    expect([closed.status, closed.json.status, closed.json.decision, closed.json.nextCycleId]).toEqual([200, 'closed', 'adopt', null]);
    const after = await stack.call<{ detail: string }>(stack.adminKey, 'POST', `${cycle}/phases/reflect`, {
      worked: 'x',
      didNot: 'y',
      improve: 'z',
    });
    expect(after.status).toBe(409);
  });

  it('starts one cycle in each active partnership of a cohort, naming those it leaves out', async () => {
    const coordinator = (await createApiKey(stack.database.db, { name: 'coordinator', role: 'coordinator', cohortId })).secret;
    const res = await stack.call<{
      started: { partnershipId: string; cycleId: string }[];
      skipped: { partnershipId: string; reason: string }[];
    }>(coordinator, 'POST', `/cohorts/${cohortId}/inquiry-cycles`, {
      question: 'Does peer observation change practice?',
      phases: phases((ph) => ({ ownerRole: ph === 'do' ? 'participant' : 'district_lead' })),
    });
    expect(res.status, res.text).toBe(201);
    expect(res.json.started.map((s) => s.partnershipId).sort()).toEqual([ids[0], ids[1]].sort());
    expect(res.json.skipped).toEqual([
      { partnershipId: ids[2], reason: expect.stringMatching(/phases\.do\.ownerRole: no member of cedar has this role/) },
    ]);
    const cycles = await stack.database.db.inquiryCycle.findMany({ where: { cohortId }, orderBy: { number: 'asc' } });
    expect(cycles.map((c) => [c.partnershipId, c.number]).sort()).toEqual(
      [
        [ids[0], 2],
        [ids[1], 1],
      ].sort(),
    );

    // Another cohort's coordinator does not see it; a district key of a partnership cannot act for the cohort.
    const other = await stack.call<{ id: string }>(stack.adminKey, 'POST', '/cohorts', { name: 'Another cohort' });
    const stranger = (await createApiKey(stack.database.db, { name: 'other', role: 'coordinator', cohortId: other.json.id })).secret;
    const body = { question: 'x', phases: phases(() => ({ ownerRole: 'district_lead' })) };
    expect((await stack.call(stranger, 'POST', `/cohorts/${cohortId}/inquiry-cycles`, body)).status).toBe(404);
    const maple = await stack.database.db.partnership.findUniqueOrThrow({ where: { id: ids[0] as string } });
    const district = (await createApiKey(stack.database.db, { name: 'district', role: 'district', organizationId: maple.districtId }))
      .secret;
    expect((await stack.call(district, 'POST', `/cohorts/${cohortId}/inquiry-cycles`, body)).status).toBe(403);
  });
});

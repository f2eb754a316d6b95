import { describe, expect, it } from 'vitest';
import { type ApiResponse, type ApiStack, useApiStack } from '../support/api-stack.js';
import { waitFor } from '../support/mailbox.js';
import { HOUR } from '../support/time.js';

/**
 * Two people acting at once: each pair of requests is sent together, over HTTP, against the real
 * workflows. Exactly one may win where only one can (the other is told why, 409), both may succeed
 * where doing one after the other is right, and no duplicate row or workflow is left behind.
 */
const stack: ApiStack = useApiStack('tandem-concurrency');
const soon = (ms: number) => new Date(Date.now() + ms).toISOString();
const statuses = (rs: ApiResponse[]) => rs.map((r) => r.status).sort();

let n = 0;
async function partnership(opts: { partner?: string; firstReviewInMs?: number } = {}) {
  n += 1;
  const res = await stack.call<{ id: string; firstReview: { id: string } }>(stack.adminKey, 'POST', '/partnerships', {
    name: `Concurrent ${n}`,
    district: { name: `Lakeside USD ${n}` },
    partner: { name: opts.partner ?? `Center for School Change ${n}` },
    timeZone: 'America/Chicago',
    // Within a few hours: a review may be recorded as held from six hours before it.
    firstReviewAt: soon(opts.firstReviewInMs ?? HOUR),
    reminderOffsets: ['P7D'],
    members: [
      { name: 'Ana Diaz', email: `ana.${n}@lakeside.example`, role: 'district_lead' },
      { name: 'Ben Ode', email: `ben.${n}@center.example`, role: 'partner_lead' },
    ],
  });
  expect(res.status, res.text).toBe(201);
  const { id, firstReview } = res.json;
  // The workflow has planned the review once it reports it as current.
  expect(await stack.reviewPlanned(id)).toBe(firstReview.id);
  return { id, reviewId: firstReview.id, ana: `ana.${n}@lakeside.example`, ben: `ben.${n}@center.example` };
}

const workflowsOfType = async (type: string) => {
  const ids: string[] = [];
  for await (const w of stack.temporal.workflow.list({ query: `WorkflowType = '${type}'` })) ids.push(w.workflowId);
  return ids;
};

describe('updates sent at the same time', () => {
  it('records a review once when three outcomes arrive together, and creates only the winner’s pledge', async () => {
    const p = await partnership();
    const before = await workflowsOfType('commitmentWorkflow');
    const outcome = (i: number) => ({
      outcome: 'held',
      notes: `Meeting notes ${i}`,
      commitments: [{ ownerEmail: p.ana, side: 'district', description: `Pledge ${i}`, dueAt: soon(30 * 24 * HOUR) }],
    });
    const results = await Promise.all(
      [1, 2, 3].map((i) =>
        stack.call<{ created?: { commitments: string[] } }>(
          stack.adminKey,
          'POST',
          `/partnerships/${p.id}/reviews/${p.reviewId}/outcome`,
          outcome(i),
        ),
      ),
    );
    expect(statuses(results)).toEqual([200, 409, 409]);
    const winner = results.find((r) => r.status === 200) as ApiResponse<{ created: { commitments: string[] } }>;
    for (const loser of results.filter((r) => r.status === 409)) {
      expect(loser.json).toMatchObject({ status: 409, detail: expect.stringMatching(/not awaiting an outcome/) });
    }

    const db = stack.database.db;
    const review = await db.review.findUniqueOrThrow({ where: { id: p.reviewId } });
    const commitments = await db.commitment.findMany({ where: { partnershipId: p.id } });
    expect(commitments.map((c) => c.id)).toEqual(winner.json.created.commitments);
    expect(review.status).toBe('held');
    // The notes are the winner's, written once.
    expect(review.notes).toBe(`Meeting notes ${commitments[0]?.description.replace('Pledge ', '')}`);
    expect(await db.partnershipEvent.count({ where: { partnershipId: p.id, type: 'review.held' } })).toBe(1);
    await waitFor('the pledge’s workflow', async () => (await workflowsOfType('commitmentWorkflow')).length === before.length + 1);
    expect((await workflowsOfType('commitmentWorkflow')).filter((id) => !before.includes(id))).toEqual([
      `commitment:${commitments[0]?.id}`,
    ]);
  });

  it('pauses and ends in one order or refuses the pause: never a paused partnership that has ended', async () => {
    const p = await partnership();
    const [pause, end] = await Promise.all([
      stack.call(stack.adminKey, 'POST', `/partnerships/${p.id}/pause`, { reason: 'Budget review' }),
      stack.call(stack.adminKey, 'POST', `/partnerships/${p.id}/end`, { outcome: 'ended_early', reason: 'Grant ended' }),
    ]);
    // Ending a paused partnership is allowed: if the pause came first, both succeed, one after the other.
    expect(end?.status, end?.text).toBe(200);
    expect([200, 409]).toContain(pause?.status);
    if (pause?.status === 409) expect(pause.json).toMatchObject({ detail: expect.stringMatching(/ended_early/) });

    const db = stack.database.db;
    expect((await db.partnership.findUniqueOrThrow({ where: { id: p.id } })).status).toBe('ended_early');
    const events = await db.partnershipEvent.findMany({
      where: { partnershipId: p.id, type: { in: ['partnership.paused', 'partnership.ended_early'] } },
      orderBy: { id: 'asc' },
    });
    expect(events.map((e) => e.type)).toEqual(
      pause?.status === 200 ? ['partnership.paused', 'partnership.ended_early'] : ['partnership.ended_early'],
    );
    const handle = stack.temporal.workflow.getHandle(`partnership:${p.id}`);
    await waitFor('the workflow to complete', async () => (await handle.describe()).status.name === 'COMPLETED');
    // One notice of the end to each member, and one of the pause only if the pause won.
    const notices = await db.emailOutbox.groupBy({
      by: ['template'],
      where: { partnershipId: p.id, template: { startsWith: 'partnership-' } },
      _count: { _all: true },
    });
    expect(Object.fromEntries(notices.map((g) => [g.template, g._count._all]))).toEqual({
      'partnership-ended': 2,
      ...(pause?.status === 200 && { 'partnership-paused': 2 }),
    });
  });

  it('completes a commitment that an extension reaches at the same time, without reopening it', async () => {
    const p = await partnership();
    const created = await stack.call<{ id: string }>(stack.adminKey, 'POST', `/partnerships/${p.id}/commitments`, {
      ownerEmail: p.ben,
      side: 'partner',
      description: 'Share coaching logs',
      dueAt: soon(10 * 24 * HOUR),
    });
    expect(created.status, created.text).toBe(201);
    const id = created.json.id;
    const handle = stack.temporal.workflow.getHandle(`commitment:${id}`);
    await waitFor('the commitment’s workflow to plan', async () => (await handle.query<{ dueAt: number | null }>('status')).dueAt !== null);
    const newDue = soon(20 * 24 * HOUR);
    const [complete, extend] = await Promise.all([
      stack.call<{ status: string }>(stack.adminKey, 'POST', `/commitments/${id}/complete`, { note: 'Shared in the portal' }),
      stack.call<{ status: string }>(stack.adminKey, 'POST', `/commitments/${id}/extend`, {
        dueAt: newDue,
        reason: 'Waiting on the coach',
      }),
    ]);
    // Completing an extended commitment is allowed; extending a completed one is not.
    expect(complete?.status, complete?.text).toBe(200);
    expect([200, 409]).toContain(extend?.status);
    if (extend?.status === 409) expect(extend.json).toMatchObject({ detail: expect.stringMatching(/already done/) });

    const db = stack.database.db;
    const row = await db.commitment.findUniqueOrThrow({ where: { id }, include: { extensions: true } });
    expect(row.status).toBe('done');
    expect(row.extensions.map((e) => e.toDueAt.toISOString())).toEqual(extend?.status === 200 ? [newDue] : []);
    expect(await db.partnershipEvent.count({ where: { partnershipId: p.id, type: 'commitment.done' } })).toBe(1);
    await waitFor('the workflow to complete', async () => (await handle.describe()).status.name === 'COMPLETED');
  });

  it('keeps both items of evidence sent together: the first submits the request, the second is kept as further evidence', async () => {
    const p = await partnership();
    const created = await stack.call<{ id: string }>(stack.adminKey, 'POST', `/partnerships/${p.id}/evidence-requests`, {
      ownerEmail: p.ana,
      description: 'Walkthrough notes',
      kinds: ['observation'],
      dueAt: soon(10 * 24 * HOUR),
    });
    expect(created.status, created.text).toBe(201);
    const id = created.json.id;
    // The admin key submits for the owner, Ana.
    const item = (text: string) => ({ kind: 'observation', text });
    const results = await Promise.all([
      stack.call(stack.adminKey, 'POST', `/evidence-requests/${id}/items`, item('Grade 3 walkthrough')),
      stack.call(stack.adminKey, 'POST', `/evidence-requests/${id}/items`, item('Grade 4 walkthrough')),
    ]);
    expect(statuses(results)).toEqual([201, 201]);
    const db = stack.database.db;
    const request = await db.evidenceRequest.findUniqueOrThrow({ where: { id }, include: { items: true } });
    expect(request.status).toBe('submitted');
    expect(request.items.map((i) => i.text).sort()).toEqual(['Grade 3 walkthrough', 'Grade 4 walkthrough']);
    expect(await db.partnershipEvent.count({ where: { partnershipId: p.id, type: 'evidence.submitted' } })).toBe(1);
  });

  it('creates a new organization and a new person once when two partnerships name them at the same time', async () => {
    const body = (i: number) => ({
      name: `Shared partner ${i}`,
      district: { name: `Hillview USD ${i}` },
      partner: { name: 'Brand-new Partner LLC' },
      timeZone: 'America/Denver',
      firstReviewAt: soon(30 * 24 * HOUR),
      members: [
        { name: 'Rae Kim', email: 'rae@brand-new.example', role: 'partner_lead' },
        { name: `Lead ${i}`, email: `lead.${i}@hillview.example`, role: 'district_lead' },
      ],
    });
    const results = await Promise.all([1, 2].map((i) => stack.call(stack.adminKey, 'POST', '/partnerships', body(i))));
    expect(statuses(results), results.map((r) => r.text).join('\n')).toEqual([201, 201]);
    const db = stack.database.db;
    const partners = await db.organization.findMany({ where: { kind: 'partner', name: 'Brand-new Partner LLC' } });
    expect(partners).toHaveLength(1);
    expect(await db.partnership.count({ where: { partnerId: partners[0]?.id } })).toBe(2);
    expect(await db.person.count({ where: { email: 'rae@brand-new.example' } })).toBe(1);
  });

  it('imports a file once when it is sent twice at once, and answers a later repeat with what the first created', async () => {
    const cohort = await stack.call<{ id: string }>(stack.adminKey, 'POST', '/cohorts', { name: 'Import twice' });
    const csv = [
      'name,district,partner,time_zone,first_review_at,district_lead',
      'Twice one,Twice USD,Twice Partners,America/Chicago,2027-03-02 15:30,Ivy Lo <ivy@twice.example>',
      'Twice two,Twice USD,Twice Partners,America/Chicago,2027-03-09 15:30,Ivy Lo <ivy@twice.example>',
    ].join('\n');
    const send = () =>
      stack.call<{ partnerships: { id: string }[] }>(stack.adminKey, 'POST', `/cohorts/${cohort.json.id}/partnership-imports`, { csv });
    const both = await Promise.all([send(), send()]);
    // One creates; the other is told the file is being imported (409) or gets what the first created.
    expect(both.map((r) => r.status).sort(), both.map((r) => r.text).join('\n')).toSatisfy(
      (s: number[]) => JSON.stringify(s) === '[201,409]' || JSON.stringify(s) === '[201,201]',
    );
    const db = stack.database.db;
    expect(await db.partnership.count({ where: { cohortId: cohort.json.id } })).toBe(2);
    const again = await send();
    expect([again.status, (again.json as { alreadyImportedAt?: string }).alreadyImportedAt]).toEqual([201, expect.any(String)]);
    const created = both
      .find((r) => r.status === 201)
      ?.json.partnerships.map((p) => p.id)
      .sort();
    expect(again.json.partnerships.map((p) => p.id).sort()).toEqual(created);
    expect(await db.partnership.count({ where: { cohortId: cohort.json.id } })).toBe(2);
    // Everyone was invited once.
    await waitFor(
      'the invitations',
      async () => (await db.emailOutbox.count({ where: { template: 'review-invitation', recipient: 'ivy@twice.example' } })) === 2,
    );
  });

  it('keeps a lead when two managers remove the last two at once', async () => {
    const p = await partnership();
    const db = stack.database.db;
    const [ana, ben] = await Promise.all([p.ana, p.ben].map((email) => db.person.findUniqueOrThrow({ where: { email } })));
    const results = await Promise.all(
      [ana, ben].map((who) => stack.call(stack.adminKey, 'POST', `/partnerships/${p.id}/members/${who?.id}/remove`)),
    );
    expect(statuses(results), results.map((r) => r.text).join('\n')).toEqual([200, 409]);
    expect(await db.partnershipMember.count({ where: { partnershipId: p.id, role: { in: ['district_lead', 'partner_lead'] } } })).toBe(1);
  });
});

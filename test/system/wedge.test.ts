import { describe, expect, it } from 'vitest';
import { sendUpdate } from '../../lib/temporal/updates.js';
import { extendCommitmentUpdate } from '../../workflows/deadlines/messages.js';
import { commitmentWorkflowId, partnershipWorkflowId } from '../../workflows/ids.js';
import { pauseUpdate, statusQuery } from '../../workflows/partnerships/messages.js';
import { type ApiStack, useApiStack } from '../support/api-stack.js';
import { useBrowser } from '../support/browser.js';
import { waitFor } from '../support/mailbox.js';
import { DAY } from '../support/time.js';
import { signIn } from '../support/web.js';

/**
 * No input wedges a workflow. At the door (the API, the pages) a NUL byte is refused before anything
 * runs; past it (an update sent straight to the workflow), the database's refusal fails the update
 * for good and reaches its sender, and the workflow goes on as it was. Work that keeps failing for
 * another reason is listed for the admin, and leaves the list once it succeeds.
 */
const stack: ApiStack = useApiStack('tandem-wedge');
const soon = (ms: number) => new Date(Date.now() + ms).toISOString();
const actor = { kind: 'api_key' as const, id: '00000000-0000-4000-8000-000000000000', name: 'test' };

async function partnership() {
  const res = await stack.call<{ id: string }>(stack.adminKey, 'POST', '/partnerships', {
    name: `Wedge ${Math.random().toString(36).slice(2, 7)}`,
    district: { name: `Wedge USD ${Math.random()}` },
    partner: { name: `Wedge Partners ${Math.random()}` },
    timeZone: 'America/Chicago',
    firstReviewAt: soon(20 * DAY),
    members: [{ name: 'Ana Diaz', email: `ana.${Math.random().toString(36).slice(2, 7)}@wedge.example`, role: 'district_lead' }],
  });
  expect(res.status, res.text).toBe(201);
  const detail = await stack.call<{ members: { email: string }[] }>(stack.adminKey, 'GET', `/partnerships/${res.json.id}`);
  return { id: res.json.id, ana: detail.json.members[0]?.email as string };
}

describe('no input wedges a workflow', () => {
  const browser = useBrowser();

  it('fails an update whose data the database refuses, at once, and keeps the deadline and the partnership as they were', async () => {
    const p = await partnership();
    const c = await stack.call<{ id: string }>(stack.adminKey, 'POST', `/partnerships/${p.id}/commitments`, {
      ownerEmail: p.ana,
      side: 'district',
      description: 'Share the plan',
      dueAt: soon(10 * DAY),
    });
    expect(c.status, c.text).toBe(201);
    // Past the door: straight to the workflow, as a bug or a future caller might.
    const started = Date.now();
    await expect(
      sendUpdate(stack.temporal, commitmentWorkflowId(c.json.id), 'closed', (h) =>
        h.executeUpdate(extendCommitmentUpdate, { args: [{ dueAt: Date.now() + 20 * DAY, reason: 'a\u0000b', actor }] }),
      ),
    ).rejects.toThrow(/database refused the data/);
    expect(Date.now() - started).toBeLessThan(60_000);
    const handle = stack.temporal.workflow.getHandle(commitmentWorkflowId(c.json.id));
    expect((await handle.describe()).raw.pendingActivities ?? []).toEqual([]);
    // The deadline is as it was, and takes the next change.
    const extended = await stack.call<{ dueAt: string }>(stack.adminKey, 'POST', `/commitments/${c.json.id}/extend`, {
      dueAt: soon(30 * DAY),
      reason: 'Board moved',
    });
    expect(extended.status, extended.text).toBe(200);
    const done = await stack.call<{ status: string }>(stack.adminKey, 'POST', `/commitments/${c.json.id}/complete`, { note: 'Shared' });
    expect([done.status, done.json.status]).toEqual([200, 'done']);

    // The same for the partnership's own workflow: a refused pause leaves it active, in the workflow and in the record.
    await expect(
      sendUpdate(stack.temporal, partnershipWorkflowId(p.id), 'ended', (h) =>
        h.executeUpdate(pauseUpdate, { args: [{ reason: 'x\u0000y', actor }] }),
      ),
    ).rejects.toThrow(/database refused the data/);
    const live = stack.temporal.workflow.getHandle(partnershipWorkflowId(p.id));
    expect((await live.query(statusQuery)).lifecycle).toBe('active');
    expect((await stack.database.db.partnership.findUniqueOrThrow({ where: { id: p.id } })).status).toBe('active');
    const paused = await stack.call(stack.adminKey, 'POST', `/partnerships/${p.id}/pause`, { reason: 'Summer' });
    expect(paused.status, paused.text).toBe(200);
  });

  it('refuses a NUL or a line break where it does not belong at the door, from the API and from the pages alike, and touches no workflow', async () => {
    const p = await partnership();
    const c = await stack.call<{ id: string }>(stack.adminKey, 'POST', `/partnerships/${p.id}/commitments`, {
      ownerEmail: p.ana,
      side: 'district',
      description: 'Share the notes',
      dueAt: soon(10 * DAY),
    });
    const api = await stack.call<{ errors: { path: string; message: string }[] }>(
      stack.adminKey,
      'POST',
      `/commitments/${c.json.id}/extend`,
      {
        dueAt: soon(20 * DAY),
        reason: 'a\u0000b',
      },
    );
    expect([api.status, api.json.errors?.[0]?.path]).toEqual([400, 'body.reason']);
    const name = await stack.call<{ errors: { path: string; message: string }[] }>(stack.adminKey, 'PATCH', `/partnerships/${p.id}`, {
      name: 'Line one\r\nBcc: everyone@example.com',
    });
    expect([name.status, name.json.errors?.[0]?.message]).toEqual([400, 'must be a single line']);

    const { page } = await signIn(stack, browser, p.ana);
    await page.goto(`${stack.publicUrl}/p/${p.id}/commitments/${c.json.id}`);
    await page.getByLabel('Why').first().fill('Needs\u0000more time');
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Move the due date' }).click(),
    ]);
    expect(res.status()).toBe(400);
    expect(await page.locator('.errors').textContent()).toMatch(/must not contain the NUL character/);
    // A date past the horizon and a reason of 100,000 characters: refused by the same schema as the API's.
    await page.getByLabel(/New due date and time/).fill('9999-12-31T12:00');
    await page.getByLabel('Why').first().fill('x'.repeat(100_000));
    await page.getByRole('button', { name: 'Move the due date' }).click();
    const errors = await page.locator('.errors').textContent();
    expect(errors).toMatch(/must be within the next 10 years/);
    expect(errors).toMatch(/must be at most 2000 characters/);
    const row = await stack.database.db.commitment.findUniqueOrThrow({ where: { id: c.json.id } });
    expect(row.dueAt.toISOString()).not.toMatch(/^9999/);
    expect(await stack.database.db.commitmentExtension.count({ where: { commitmentId: c.json.id } })).toBe(0);
  });

  it('lists work that keeps failing for the admin, and takes it off the list once it succeeds', async () => {
    const p = await partnership();
    // A record no step can plan from (as a bad migration or a hand edit might leave it): the partnership's
    // next plan fails, and is retried.
    const paused = await stack.call(stack.adminKey, 'POST', `/partnerships/${p.id}/pause`, {});
    expect(paused.status, paused.text).toBe(200);
    await stack.database.db.$executeRaw`UPDATE partnership SET outcome_grace = 'not a duration' WHERE id = ${p.id}::uuid`;
    const resumed = await stack.call(stack.adminKey, 'POST', `/partnerships/${p.id}/resume`, {});
    expect(resumed.status, resumed.text).toBe(200);
    const listed = await waitFor('the step to be listed as stuck', async () => {
      const res = await stack.call<{ items: { workflowId: string; activityType: string; attempt: number; lastError: string }[] }>(
        stack.adminKey,
        'GET',
        '/stuck-work',
      );
      return res.json.items.find((i) => i.workflowId === partnershipWorkflowId(p.id));
    });
    expect(listed.activityType).toBe('planNextReview');
    expect(listed.attempt).toBeGreaterThanOrEqual(3);
    // Repaired, the next attempt succeeds and the list is empty again.
    await stack.database.db.$executeRaw`UPDATE partnership SET outcome_grace = 'P2D' WHERE id = ${p.id}::uuid`;
    await waitFor(
      'the step to leave the list',
      async () => (await stack.database.db.stuckActivity.count({ where: { workflowId: partnershipWorkflowId(p.id) } })) === 0,
    );
    const live = stack.temporal.workflow.getHandle(partnershipWorkflowId(p.id));
    await waitFor(
      'the partnership to plan again',
      async () =>
        (await live.query(statusQuery)).phase === 'waiting-for-reminder' || (await live.query(statusQuery)).phase === 'waiting-for-review',
    );
  });
});

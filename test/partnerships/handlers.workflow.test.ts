import { type WorkflowHandle, WorkflowUpdateStage } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Activities } from '../../activities/index.js';
import { workflowBundle } from '../../lib/temporal/bundle.js';
import { tracingWorkerOptions } from '../../lib/temporal/tracing.js';
import { completeCommitmentUpdate, extendCommitmentUpdate } from '../../workflows/deadlines/messages.js';
import type { ReviewOutcome } from '../../workflows/partnerships/messages.js';
import { endUpdate, pauseUpdate, recordOutcomeUpdate, rescheduleReviewUpdate, statusQuery } from '../../workflows/partnerships/messages.js';
import type { ReviewPlan } from '../../workflows/partnerships/steps.js';
import { recordHistory } from '../support/histories.js';
import { HOUR } from '../support/time.js';

/**
 * The workflows' update handlers on their own, with stubbed activities (no database, no mail): fast
 * enough to try every interleaving that matters. The full-stack versions of these races are in
 * test/partnerships/concurrency.test.ts. Each stub takes a little real time, so that a second update arrives
 * while the first one's activity is still running.
 */
const DAY = 24 * HOUR;
const busy = () => new Promise<void>((r) => setTimeout(r, 150));

describe('update handlers with stubbed activities (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: inject('testServerPath') } },
    });
  });
  afterAll(async () => {
    await env?.teardown();
  });

  /** A worker running the real workflows on stubs that record every call, in order. */
  async function worker(taskQueue: string, stubs: Partial<Activities>) {
    const calls: { name: string; args: unknown[] }[] = [];
    const recorded = Object.fromEntries(
      Object.entries(stubs).map(([name, fn]) => [
        name,
        async (...args: unknown[]) => {
          calls.push({ name, args });
          return (fn as (...a: unknown[]) => unknown)(...args);
        },
      ]),
    );
    const w = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      sinks: tracingWorkerOptions().sinks,
      activities: recorded,
    });
    return { w, calls };
  }

  const reviewStubs = (now: number): Partial<Activities> => {
    const plan: ReviewPlan = {
      reviewId: 'review-1',
      sequence: 1,
      scheduledAt: now + HOUR,
      reminders: [],
      plannedAt: now,
      outcomeDeadline: now + HOUR + 2 * DAY,
    };
    let planned = 0;
    return {
      activatePartnership: async () => {},
      // The first review, then nothing more to plan.
      planNextReview: async () => (planned++ === 0 ? plan : null),
      recordReviewOutcome: async () => busy(),
      recordLifecycle: async () => busy(),
      markReviewMissed: async () => {},
    };
  };

  it('accepts one of three outcomes sent together, records it once and starts only its pledge', async () => {
    const now = await env.currentTimeMs();
    const { w, calls } = await worker('fast-outcome', {
      ...reviewStubs(now),
      planCommitmentDeadline: async () => ({ partnershipId: 'p', dueAt: now + 30 * DAY, status: 'open', stages: [] }),
    });
    await w.runUntil(async () => {
      const handle = await env.client.workflow.start('partnershipWorkflow', {
        workflowId: 'partnership:fast-outcome',
        taskQueue: 'fast-outcome',
        args: [{ partnershipId: 'p' }],
      });
      await waitUntil(async () => (await handle.query(statusQuery)).currentReview?.id === 'review-1');
      const outcome = (i: number) => ({
        reviewId: 'review-1',
        outcome: 'held' as const,
        commitments: [{ id: `c${i}`, ownerId: 'ana', side: 'district' as const, description: `Pledge ${i}`, dueAt: now + 30 * DAY }],
      });
      const results = await Promise.allSettled([1, 2, 3].map((i) => handle.executeUpdate(recordOutcomeUpdate, { args: [outcome(i)] })));
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected', 'rejected']);
      for (const r of results) {
        if (r.status === 'rejected') expect(String(r.reason.cause?.message)).toMatch(/is not awaiting an outcome/);
      }
      const recorded = calls.filter((c) => c.name === 'recordReviewOutcome');
      expect(recorded).toHaveLength(1);
      const winner = (recorded[0]?.args[0] as { commitments: { id: string }[] } | undefined)?.commitments[0]?.id;
      // Only the winner's pledge has a workflow; the losers' ids were never used.
      await waitUntil(async () => calls.some((c) => c.name === 'planCommitmentDeadline'));
      expect(calls.filter((c) => c.name === 'planCommitmentDeadline').map((c) => c.args[0])).toEqual([winner]);
      for (const id of ['c1', 'c2', 'c3']) {
        const exists = await env.client.workflow
          .getHandle(`commitment:${id}`)
          .describe()
          .then(() => true)
          .catch(() => false);
        expect([id, exists]).toEqual([id, id === winner]);
      }
      await handle.executeUpdate(endUpdate, { args: [{ outcome: 'completed' }] });
    });
  });

  /**
   * Runs `test` against a partnership whose first review (a month ahead) is planned only once it calls
   * `release()`, and nothing after it. Planning is a local activity: an update sent meanwhile is delivered
   * when the worker heartbeats the workflow task, at 80 % of its timeout (10 s by default, 2 s here).
   */
  async function whilePlanning(
    name: string,
    stubs: Partial<Activities>,
    test: (t: { handle: WorkflowHandle; release: () => void; calls: { name: string; args: unknown[] }[]; now: number }) => Promise<void>,
  ) {
    const now = await env.currentTimeMs();
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let planning = 0;
    const plan: ReviewPlan = {
      reviewId: 'review-1',
      sequence: 1,
      scheduledAt: now + 30 * DAY,
      reminders: [],
      plannedAt: now,
      outcomeDeadline: now + 32 * DAY,
    };
    const { w, calls } = await worker(name, {
      activatePartnership: async () => {},
      planNextReview: async () => {
        if (++planning > 1) return null;
        await gate;
        return plan;
      },
      recordLifecycle: async () => {},
      ...stubs,
    });
    await w.runUntil(async () => {
      const handle = await env.client.workflow.start('partnershipWorkflow', {
        workflowId: `partnership:${name}`,
        taskQueue: name,
        args: [{ partnershipId: 'p' }],
        workflowTaskTimeout: '2s',
      });
      await waitUntil(async () => planning === 1);
      await test({ handle, release, calls, now });
      await handle.executeUpdate(endUpdate, { args: [{ outcome: 'completed' }] });
      await handle.result();
    });
  }
  const outcomeStubs: Partial<Activities> = {
    recordReviewOutcome: async () => busy(),
    sendReviewCancellation: async () => {},
    markReviewMissed: async () => {},
  };
  const accepted = { waitForStage: WorkflowUpdateStage.ACCEPTED } as const;
  const recorded = (calls: { name: string; args: unknown[] }[], activity: string) =>
    calls.filter((c) => c.name === activity).map((c) => (c.args[0] as { reviewId: string }).reviewId);

  it('accepts an outcome sent while its review is still being planned, and records it once the plan is known', async () => {
    // The review is in the database (a person can see it) before the workflow's planning activity
    // returns: it still sends the invitations. An outcome sent then is the person's, not a mistake.
    await whilePlanning('fast-early-outcome', outcomeStubs, async ({ handle, release, calls }) => {
      const skip = (reviewId: string): { args: [ReviewOutcome] } => ({ args: [{ reviewId, outcome: 'skipped', reason: 'Testing week' }] });
      const first = await handle.startUpdate(recordOutcomeUpdate, { ...skip('review-1'), ...accepted });
      // Claimed: a second one sent while the plan is still unknown is refused at once.
      await expect(handle.executeUpdate(recordOutcomeUpdate, skip('review-1'))).rejects.toMatchObject({
        cause: { message: expect.stringMatching(/is not awaiting an outcome/) },
      });
      expect(recorded(calls, 'recordReviewOutcome')).toEqual([]);
      release();
      const status = await first.result();
      expect(status.currentReview?.id).toBe('review-1');
      expect(recorded(calls, 'recordReviewOutcome')).toEqual(['review-1']);
      await recordHistory(handle, 'outcome-while-planning');
    });
  });

  it('refuses, once the plan is known, an outcome sent during planning that the plan does not allow, and leaves nothing claimed', async () => {
    const cases = [
      {
        name: 'other-review',
        outcome: { reviewId: 'review-0', outcome: 'skipped', reason: 'No' },
        refusal: /review review-0 is not awaiting an outcome/,
      },
      // Held a month before it takes place: the same rule as when the plan is known.
      {
        name: 'held-early',
        outcome: { reviewId: 'review-1', outcome: 'held' },
        refusal: /cannot be recorded as held before it takes place/,
      },
    ] as const;
    for (const { name, outcome, refusal } of cases) {
      await whilePlanning(`fast-early-${name}`, outcomeStubs, async ({ handle, release, calls }) => {
        const update = await handle.startUpdate(recordOutcomeUpdate, { args: [outcome], ...accepted });
        release();
        await expect(update.result()).rejects.toMatchObject({ cause: { message: expect.stringMatching(refusal) } });
        expect(recorded(calls, 'recordReviewOutcome')).toEqual([]);
        // Nothing is left claimed: the review still takes its outcome, once.
        await handle.executeUpdate(recordOutcomeUpdate, { args: [{ reviewId: 'review-1', outcome: 'skipped', reason: 'Moved online' }] });
        expect(recorded(calls, 'recordReviewOutcome')).toEqual(['review-1']);
      });
    }
  });

  it('accepts a reschedule sent while its review is still being planned, and refuses one for another review once the plan is known', async () => {
    await whilePlanning('fast-early-reschedule', { rescheduleReview: async () => busy() }, async ({ handle, release, calls, now }) => {
      const moved = await handle.startUpdate(rescheduleReviewUpdate, { args: [{ reviewId: 'review-1', at: now + 31 * DAY }], ...accepted });
      const other = await handle.startUpdate(rescheduleReviewUpdate, { args: [{ reviewId: 'review-0', at: now + 31 * DAY }], ...accepted });
      expect(recorded(calls, 'rescheduleReview')).toEqual([]);
      release();
      await moved.result();
      await expect(other.result()).rejects.toMatchObject({
        cause: { message: expect.stringMatching(/review review-0 is not the upcoming review/) },
      });
      expect(recorded(calls, 'rescheduleReview')).toEqual(['review-1']);
    });
  });

  it('carries out a pause and an end sent together one after the other, never ending before the pause is recorded', async () => {
    const now = await env.currentTimeMs();
    const { w, calls } = await worker('fast-lifecycle', reviewStubs(now));
    await w.runUntil(async () => {
      const handle = await env.client.workflow.start('partnershipWorkflow', {
        workflowId: 'partnership:fast-lifecycle',
        taskQueue: 'fast-lifecycle',
        args: [{ partnershipId: 'p' }],
      });
      await waitUntil(async () => (await handle.query(statusQuery)).currentReview?.id === 'review-1');
      const [pause, end] = await Promise.allSettled([
        handle.executeUpdate(pauseUpdate, { args: [{ reason: 'Winter' }] }),
        handle.executeUpdate(endUpdate, { args: [{ outcome: 'ended_early', reason: 'Grant ended' }] }),
      ]);
      expect(end?.status).toBe('fulfilled');
      const changes = calls.filter((c) => c.name === 'recordLifecycle').map((c) => (c.args[1] as { to: string }).to);
      // Never interleaved: each change's activity ran after the previous one finished.
      expect(changes).toEqual(pause?.status === 'fulfilled' ? ['paused', 'ended_early'] : ['ended_early']);
      await handle.result();
      expect((await handle.query(statusQuery)).lifecycle).toBe('ended_early');
    });
  });

  it('lets a completion follow an extension sent with it, and refuses an extension after a completion', async () => {
    const now = await env.currentTimeMs();
    let due = now + 10 * DAY;
    let status = 'open';
    const { w, calls } = await worker('fast-deadline', {
      planCommitmentDeadline: async () => ({ partnershipId: 'p', dueAt: due, status, stages: [{ kind: 'overdue', at: due }] }),
      extendCommitment: async ({ dueAt }) => {
        await busy();
        due = dueAt;
      },
      closeCommitment: async ({ status: closed }) => {
        await busy();
        status = closed;
      },
      notifyCommitment: async () => {},
    });
    await w.runUntil(async () => {
      for (const order of ['extend-first', 'complete-first'] as const) {
        due = now + 10 * DAY;
        status = 'open';
        calls.length = 0;
        const handle = await env.client.workflow.start('commitmentWorkflow', {
          workflowId: `commitment:fast-${order}`,
          taskQueue: 'fast-deadline',
          args: [{ commitmentId: 'c1' }],
        });
        await waitUntil(async () => (await handle.query<{ dueAt: number | null }>('status')).dueAt !== null);
        const extendArgs = { args: [{ dueAt: now + 20 * DAY, reason: 'Later' }] as [{ dueAt: number; reason: string }] };
        const completeArgs = { args: [{ note: 'Done' }] as [{ note: string }] };
        // The first is accepted before the second is sent (which then arrives while the first's activity
        // runs, or after it: either way the order is the one asked for).
        const accepted = { waitForStage: WorkflowUpdateStage.ACCEPTED } as const;
        const first = (
          order === 'extend-first'
            ? await handle.startUpdate(extendCommitmentUpdate, { ...extendArgs, ...accepted })
            : await handle.startUpdate(completeCommitmentUpdate, { ...completeArgs, ...accepted })
        ).result();
        const second =
          order === 'extend-first'
            ? handle.executeUpdate(completeCommitmentUpdate, completeArgs)
            : handle.executeUpdate(extendCommitmentUpdate, extendArgs);
        const [a, b] = await Promise.allSettled([first, second]);
        expect(a?.status).toBe('fulfilled');
        if (order === 'extend-first') {
          expect(b?.status).toBe('fulfilled');
          expect(calls.map((c) => c.name).filter((n) => n !== 'planCommitmentDeadline' && n !== 'notifyCommitment')).toEqual([
            'extendCommitment',
            'closeCommitment',
          ]);
        } else {
          expect(b?.status).toBe('rejected');
          expect(String((b as PromiseRejectedResult).reason.cause?.message)).toMatch(/already done/);
          expect(calls.some((c) => c.name === 'extendCommitment')).toBe(false);
        }
        await handle.result();
        expect(status).toBe('done');
      }
    });
  });
});

async function waitUntil(probe: () => Promise<boolean>, timeoutMs = 600_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { describe, expect, it } from 'vitest';
import { workflowBundle } from '../../lib/temporal/bundle.js';
import { tracingWorkerOptions } from '../../lib/temporal/tracing.js';
import { loadHistories } from '../support/histories.js';

/**
 * Every recorded history (test/histories/<type>/*.json) must replay against the current workflow
 * code. A change that would break running workflows fails here until it is guarded with patched().
 */
// The workflows' tracing sink, as a worker registers it: without it the replay logs "unregistered external sink".
const { sinks } = tracingWorkerOptions();

describe('replay of recorded workflow histories', () => {
  it('has recorded histories to hold the code to', async () => {
    const histories = await loadHistories();
    expect(histories.map((h) => h.file)).toEqual(
      expect.arrayContaining([
        'partnershipWorkflow/two-reminders-missed-review-ended.json',
        'partnershipWorkflow/past-reminder-skipped-ended-early.json',
        'partnershipWorkflow/five-reviews-lifecycle.json',
        'commitmentWorkflow/overdue-escalated-completed.json',
        'commitmentWorkflow/extended-then-dropped.json',
        'reflectionWorkflow/two-of-three-answered.json',
        'partnershipWorkflow/eighteen-months.json',
        'commitmentWorkflow/overdue-escalated-via-held-review.json',
        'evidenceRequestWorkflow/submitted-after-reminder.json',
        'mailboxWorkflow/digest-of-eight-reminders.json',
        'mailboxWorkflow/held-over-quiet-hours.json',
        'partnershipWorkflow/missed-review-recorded-late.json',
        'inquiryCycleWorkflow/overdue-escalated-adapted.json',
        'inquiryCycleWorkflow/ended-with-partnership.json',
        'commitmentWorkflow/extended-then-dropped-local-steps.json',
        'commitmentWorkflow/overdue-escalated-completed-local-steps.json',
        'commitmentWorkflow/overdue-escalated-via-held-review-local-steps.json',
        'commitmentWorkflow/overdue-paused-resumed-ended-local-steps.json',
        'evidenceRequestWorkflow/paused-resumed-ended-local-steps.json',
        'evidenceRequestWorkflow/submitted-after-reminder-local-steps.json',
        'inquiryCycleWorkflow/ended-with-partnership-local-steps.json',
        'inquiryCycleWorkflow/overdue-escalated-adapted-local-steps.json',
        'partnershipWorkflow/completed-at-planned-end-local-steps.json',
        'partnershipWorkflow/eighteen-months-local-steps.json',
        'partnershipWorkflow/five-reviews-lifecycle-local-steps.json',
        'partnershipWorkflow/missed-review-recorded-late-local-steps.json',
        'partnershipWorkflow/past-reminder-skipped-ended-early-local-steps.json',
        'partnershipWorkflow/paused-resumed-ended-with-deadlines-local-steps.json',
        'partnershipWorkflow/planning-until-planned-start-local-steps.json',
        'partnershipWorkflow/two-reminders-missed-review-ended-local-steps.json',
        'commentMentionWorkflow/ben-mentioned.json',
        'lessonDigestWorkflow/month-then-cohort-gone.json',
        'partnershipWorkflow/five-reviews-lifecycle-answers-first.json',
        'partnershipWorkflow/eighteen-months-answers-first.json',
        'partnershipWorkflow/five-reviews-lifecycle-local-outcomes.json',
        'partnershipWorkflow/eighteen-months-local-outcomes.json',
        'partnershipWorkflow/five-reviews-lifecycle-answer-before-next.json',
        'partnershipWorkflow/eighteen-months-answer-before-next.json',
        'partnershipWorkflow/outcome-while-planning.json',
        'partnershipWorkflow/five-reviews-lifecycle-outcome-while-planning.json',
      ]),
    );
  });

  it('replays every recorded history against the current workflow code', async () => {
    const histories = await loadHistories();
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle(), sinks }, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
  });

  it('fails when the workflow code changes incompatibly without a patch', async () => {
    const incompatible = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('./incompatible-workflows.ts', import.meta.url)),
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
    });
    const [history] = (await loadHistories()).filter((h) => h.file.startsWith('partnershipWorkflow/'));
    expect(history).toBeDefined();
    await expect(Worker.runReplayHistory({ workflowBundle: incompatible, sinks }, history?.history, history?.workflowId)).rejects.toThrow(
      DeterminismViolationError,
    );
  });
});

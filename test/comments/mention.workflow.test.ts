import { describe, expect, it } from 'vitest';
import { commentMentionWorkflow } from '../../workflows/comments/mention.js';
import { commentWorkflowId } from '../../workflows/ids.js';
import { createPartnershipRecord, DAY, outboxMessages, recordHistory, useTimeSkippingStack } from '../support/kit.js';

/**
 * A comment's workflow tells the members it mentions, once: run twice for the same comment (a retry,
 * a second start after the first completed), the outbox still holds one copy each.
 */
describe("a comment's mention workflow (time-skipping)", () => {
  const stack = useTimeSkippingStack('tandem-mentions');

  it('sends one copy to each member mentioned, and none again when run a second time', async () => {
    const db = stack.database.db;
    const t0 = await stack.env.currentTimeMs();
    const p = await createPartnershipRecord(db, {
      firstReviewAt: new Date(t0 + 30 * DAY),
      reminderOffsets: [],
      timeZone: 'UTC',
      plannedAt: t0,
    });
    const ana = p.districtLead;
    const ben = p.partnerLead;
    const comment = await db.comment.create({
      data: {
        partnershipId: p.id,
        subject: 'review',
        subjectId: p.review.id,
        body: '@Ben Ode the agenda is ready',
        mentionedIds: [ben.id],
        actor: 'person',
        actorId: ana.id,
        actorName: ana.name,
      },
    });
    const worker = await stack.newWorker();
    await worker.runUntil(async () => {
      for (const run of [1, 2]) {
        const handle = await stack.env.client.workflow.start(commentMentionWorkflow, {
          workflowId: commentWorkflowId(comment.id),
          taskQueue: 'tandem-mentions',
          args: [{ commentId: comment.id }],
        });
        await handle.result();
        if (run === 1) await recordHistory(handle, 'ben-mentioned');
      }
    });
    const sent = await outboxMessages(db, { partnershipId: p.id, template: 'comment-mention' });
    expect(sent.map((m) => [m.recipients, m.subject, m.statuses])).toEqual([
      [[ben.email], `Ana Diaz mentioned you on review #1 in ${p.name}`, ['sent']],
    ]);
  });
});

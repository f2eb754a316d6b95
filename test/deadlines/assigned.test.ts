import { describe, expect, it } from 'vitest';
import { listCapturedMail } from '../../lib/mail/capture.js';
import { type ApiStack, threeMembers, useApiStack } from '../support/api-stack.js';
import { waitFor } from '../support/mailbox.js';
import { DAY } from '../support/time.js';

/**
 * Work given to someone is news to them at once: the owner of every commitment and evidence request a
 * held review pledges (or that is made on its own) is told, with its due date and the link to it, not
 * weeks later by its first reminder (or never, when that reminder was already past).
 */
const stack: ApiStack = useApiStack('tandem-assigned');
const soon = (ms: number) => new Date(Date.now() + ms).toISOString();

describe('an assignment notice', () => {
  it('tells the owner of each new commitment and evidence request at once, with its due date and its link', async () => {
    const { id, firstReview } = await stack.createPartnership('Assigned literacy', threeMembers('assigned.example'), {
      firstReviewAt: soon(3_600_000),
    });
    expect(await stack.reviewPlanned(id)).toBe(firstReview.id);
    // Due in 3 days: its 7-day reminder is already past, and would never be sent.
    const held = await stack.call(stack.adminKey, 'POST', `/partnerships/${id}/reviews/${firstReview.id}/outcome`, {
      outcome: 'held',
      commitments: [
        { ownerEmail: 'ben@assigned.example', side: 'partner', description: 'Send the coaching plan', dueAt: soon(3 * DAY) },
        { ownerEmail: 'cal@assigned.example', side: 'district', description: 'Book the data room', dueAt: soon(40 * DAY) },
      ],
      evidenceRequests: [
        { ownerEmail: 'cal@assigned.example', description: 'Walkthrough notes', kinds: ['observation'], dueAt: soon(20 * DAY) },
      ],
    });
    expect(held.status, held.text).toBe(200);
    const mails = await waitFor('three assignment notices', async () => {
      const all = (await listCapturedMail(stack.mailCaptureDir)).filter((m) => m.subject.startsWith('New '));
      return all.length === 3 ? all : undefined;
    });
    expect(mails.map((m) => [m.envelopeTo[0], m.subject]).sort()).toEqual([
      ['ben@assigned.example', 'New commitment for you: Send the coaching plan'],
      ['cal@assigned.example', 'New commitment for you: Book the data room'],
      ['cal@assigned.example', 'New evidence request for you: Walkthrough notes'],
    ]);
    const ben = mails.find((m) => m.envelopeTo.includes('ben@assigned.example'));
    expect(ben?.text).toMatch(/gave you a commitment in Assigned literacy, due \w+day, \w+ \d+, \d{4}/);
    expect(ben?.text).toMatch(/Mark it done, or ask for more time: http:\/\/tandem\.test:\d+\/p\/[^/]+\/commitments\/[^?]+\?t=/);
    // Once: replanning the deadline (an extension) sends no second one.
    const commitment = await stack.database.db.commitment.findFirstOrThrow({ where: { description: 'Send the coaching plan' } });
    const extended = await stack.call(stack.adminKey, 'POST', `/commitments/${commitment.id}/extend`, {
      dueAt: soon(10 * DAY),
      reason: 'Later',
    });
    expect(extended.status, extended.text).toBe(200);
    await new Promise((r) => setTimeout(r, 1500));
    expect(
      await stack.database.db.emailOutbox.count({ where: { template: 'commitment-assigned', recipient: 'ben@assigned.example' } }),
    ).toBe(1);
  });
});

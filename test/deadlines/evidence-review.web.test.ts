import { DateTime } from 'luxon';
import { beforeAll, describe, expect, it } from 'vitest';
import { evidenceWorkflowId } from '../../workflows/ids.js';
import { type ApiStack, threeMembers, useApiStack } from '../support/api-stack.js';
import { useBrowser } from '../support/browser.js';
import { waitFor } from '../support/mailbox.js';
import { DAY } from '../support/time.js';
import { expectAccessible, mailTo, signIn } from '../support/web.js';

/**
 * Evidence that is looked at: a lead other than its owner accepts what was submitted, or sends it
 * back with what to change and a new due date; sent back, the request reopens, its workflow reminds
 * its owner again and the owner is told why by mail. Once per submission; never by its owner, never
 * across tenants; bad input writes nothing.
 */
const stack: ApiStack = useApiStack('tandem-evidence-review');
const soon = (ms: number) => new Date(Date.now() + ms).toISOString();
const ZONE = 'America/Chicago';

let partnershipId = '';
let ana = '';

/** An evidence request of Ben's (the partner lead), submitted by him through the admin key. */
async function submittedRequest(description: string, inPartnership = partnershipId, domain = 'review.example'): Promise<string> {
  const created = await stack.call<{ id: string }>(stack.adminKey, 'POST', `/partnerships/${inPartnership}/evidence-requests`, {
    ownerEmail: `ben@${domain}`,
    description,
    kinds: ['observation'],
    dueAt: soon(20 * DAY),
  });
  expect(created.status, created.text).toBe(201);
  const item = await stack.call(stack.adminKey, 'POST', `/evidence-requests/${created.json.id}/items`, {
    kind: 'observation',
    link: 'https://drive.example/notes',
  });
  expect(item.status, item.text).toBe(201);
  return created.json.id;
}

const review = (id: string, body: unknown, key = stack.adminKey) =>
  stack.call<{ detail?: string }>(key, 'POST', `/evidence-requests/${id}/review`, body);

beforeAll(async () => {
  partnershipId = (await stack.createPartnership('Review literacy', threeMembers('review.example'))).id;
  ana = (await stack.database.db.person.findUniqueOrThrow({ where: { email: 'ana@review.example' } })).id;
});

describe('a verdict on submitted evidence (API)', () => {
  it('is given once, by a lead other than its owner, and bad input or another tenant changes nothing', async () => {
    const id = await submittedRequest('Walkthrough notes');
    const db = stack.database.db;
    const unchanged = async () => {
      expect(await db.evidenceReview.count({ where: { requestId: id } })).toBe(0);
      expect(await db.evidenceRequest.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'submitted', acceptedAt: null });
    };
    // The key acts for the owner by default: an owner does not judge their own evidence.
    const own = await review(id, { verdict: 'accepted' });
    expect([own.status, own.json.detail]).toEqual([403, 'Evidence is looked at by a lead other than its owner']);
    // Another district's key does not learn the request exists.
    const other = await stack.districtWithKey('Elsewhere USD');
    expect((await review(id, { verdict: 'accepted', onBehalfOf: ana }, other.key)).status).toBe(404);
    // A participant is no lead: a key naming one is refused.
    const cal = (await db.person.findUniqueOrThrow({ where: { email: 'cal@review.example' } })).id;
    expect((await review(id, { verdict: 'accepted', onBehalfOf: cal })).status).toBe(403);
    for (const bad of [
      { verdict: 'accepted', comment: 'fine\u0000', onBehalfOf: ana },
      { verdict: 'sent_back', comment: 'Add the rubric', dueAt: `${soon(5 * DAY)}\r\n`, onBehalfOf: ana },
      { verdict: 'sent_back', dueAt: soon(5 * DAY), onBehalfOf: ana },
      { verdict: 'sent_back', comment: '   ', dueAt: soon(5 * DAY), onBehalfOf: ana },
      { verdict: 'sent_back', comment: 'Add the rubric', dueAt: soon(-DAY), onBehalfOf: ana },
      { verdict: 'maybe', onBehalfOf: ana },
    ]) {
      const res = await review(id, bad);
      expect(res.status, `${JSON.stringify(bad)}: ${res.text}`).toBe(400);
    }
    await unchanged();

    // Two verdicts sent at once make one.
    const both = await Promise.all([
      review(id, { verdict: 'accepted', comment: 'Clear notes', onBehalfOf: ana }),
      review(id, { verdict: 'sent_back', comment: 'Add the rubric', dueAt: soon(10 * DAY), onBehalfOf: ana }),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(await db.evidenceReview.count({ where: { requestId: id } })).toBe(1);
    const detail = await stack.call<{ reviews: { verdict: string; by: { name: string; onBehalfOf: string | null } }[] }>(
      stack.adminKey,
      'GET',
      `/evidence-requests/${id}`,
    );
    expect(detail.json.reviews).toHaveLength(1);
    expect(detail.json.reviews[0]?.by.onBehalfOf).toBe('Ana Diaz');
    // Once given, no second verdict on the same submission.
    expect((await review(id, { verdict: 'accepted', onBehalfOf: ana })).status).toBe(409);
  });

  it('sent back, reopens with its new due date, tells its owner why, reminds again, and takes the evidence anew', async () => {
    const id = await submittedRequest('Coaching logs');
    const dueAt = soon(10 * DAY);
    const res = await stack.call<{ request: { status: string; dueAt: string }; review: { verdict: string; comment: string } }>(
      stack.adminKey,
      'POST',
      `/evidence-requests/${id}/review`,
      { verdict: 'sent_back', comment: 'Add the dates of each visit', dueAt, onBehalfOf: ana },
    );
    expect(res.status, res.text).toBe(200);
    expect(res.json.request).toMatchObject({ status: 'open', dueAt: new Date(dueAt).toISOString() });
    expect(res.json.review).toMatchObject({ verdict: 'sent_back', comment: 'Add the dates of each visit' });

    const mail = await mailTo(stack, 'ben@review.example', /^Sent back: Coaching logs$/);
    expect(mail.text).toContain('Add the dates of each visit');
    expect(mail.text).toMatch(/Ana Diaz looked at the evidence you submitted in Review literacy and sent it back\. It is due again \w+day/);
    expect(mail.text).toMatch(/Submit the evidence again, or ask for more time: http:\/\/tandem\.test:\d+\/p\/[^/]+\/evidence\/[^?]+\?t=/);
    // Its workflow runs again: its next notice is the reminder before the new due date.
    const live = await waitFor('the reopened request to be planned', async () => {
      const d = await stack.temporal.workflow.getHandle(evidenceWorkflowId(id)).describe();
      if (d.status.name !== 'RUNNING') return undefined;
      const got = await stack.call<{ live: { nextNotice: { kind: string } | null } | null }>(
        stack.adminKey,
        'GET',
        `/evidence-requests/${id}`,
      );
      return got.json.live?.nextNotice ?? undefined;
    });
    expect(live.kind).toBe('reminder');
    // Told once that it came back, whatever replans the deadline, and not told again that it is new.
    const copies = await stack.database.db.emailOutbox.findMany({ where: { messageKey: { startsWith: `evidence:${id}:` } } });
    expect(copies.map((c) => c.template).sort()).toEqual(['evidence-assigned', 'evidence-sent-back']);

    const again = await stack.call(stack.adminKey, 'POST', `/evidence-requests/${id}/items`, {
      kind: 'observation',
      text: 'With the dates',
    });
    expect(again.status, again.text).toBe(201);
    await waitFor('the request submitted again', async () => {
      const r = await stack.database.db.evidenceRequest.findUniqueOrThrow({ where: { id } });
      return r.status === 'submitted';
    });
    const accepted = await review(id, { verdict: 'accepted', onBehalfOf: ana });
    expect(accepted.status, accepted.text).toBe(200);
    const events = await stack.database.db.partnershipEvent.findMany({
      where: { partnershipId, type: { in: ['evidence.sent_back', 'evidence.accepted'] }, data: { path: ['requestId'], equals: id } },
      orderBy: { id: 'asc' },
    });
    expect(events.map((e) => [e.type, e.actorName, e.onBehalfOfName])).toEqual([
      ['evidence.sent_back', expect.any(String), 'Ana Diaz'],
      ['evidence.accepted', expect.any(String), 'Ana Diaz'],
    ]);
  });

  it('on an ended partnership, is an acceptance only: sending back (which would remind again) is a 409 that changes nothing', async () => {
    const ended = (await stack.createPartnership('Ended literacy', threeMembers('ended.example'))).id;
    const kept = await submittedRequest('Final report', ended, 'ended.example');
    const other = await submittedRequest('Last walkthrough', ended, 'ended.example');
    const end = await stack.call(stack.adminKey, 'POST', `/partnerships/${ended}/end`, { outcome: 'ended_early', reason: 'Grant ended' });
    expect(end.status, end.text).toBe(200);
    const lead = (await stack.database.db.person.findUniqueOrThrow({ where: { email: 'ana@ended.example' } })).id;
    const back = await review(kept, { verdict: 'sent_back', comment: 'Add the dates', dueAt: soon(5 * DAY), onBehalfOf: lead });
    expect([back.status, back.json.detail]).toEqual([409, 'The partnership has ended: its evidence can be accepted, not sent back']);
    expect(await stack.database.db.evidenceRequest.findUniqueOrThrow({ where: { id: kept } })).toMatchObject({ status: 'submitted' });
    expect(await stack.database.db.evidenceReview.count({ where: { requestId: kept } })).toBe(0);
    const accepted = await review(other, { verdict: 'accepted', onBehalfOf: lead });
    expect(accepted.status, accepted.text).toBe(200);
  });
});

describe('a verdict on submitted evidence (pages)', () => {
  const browser = useBrowser();

  it('lets a lead judge it against the rubric and send it back from a phone, and shows its owner the verdict without the form', async () => {
    const rubric = ['Names the grade and the date', 'Shows student work'];
    const patched = await stack.call(stack.adminKey, 'PATCH', `/partnerships/${partnershipId}`, { evidenceRubric: rubric });
    expect(patched.status, patched.text).toBe(200);
    const id = await submittedRequest('Student work samples');
    // Through the API, the rubric must be judged whole.
    const partial = await review(id, { verdict: 'accepted', rubric: [{ criterion: rubric[0], met: true }], onBehalfOf: ana });
    expect([partial.status, partial.text]).toEqual([400, expect.stringContaining('judge \\"Shows student work\\" once')]);

    const { context, page } = await signIn(stack, browser, 'ana@review.example');
    await page.goto(`${stack.publicUrl}/p/${partnershipId}/evidence/${id}`);
    const form = page.getByRole('form', { name: 'Look at the evidence' });
    await expect.poll(() => form.isVisible()).toBe(true);
    await expectAccessible(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);

    // Sent back without saying what to change: the form comes back with the mistake, and nothing is written.
    const due = DateTime.now().setZone(ZONE).plus({ days: 12 }).set({ hour: 16, minute: 0, second: 0, millisecond: 0 });
    await form.getByLabel(`Due again, to send it back (${ZONE})`).fill(due.toFormat("yyyy-MM-dd'T'HH:mm"));
    await form.getByLabel('Names the grade and the date').check();
    await form.getByRole('button', { name: 'Send it back' }).click();
    await expect.poll(() => page.getByText('Say what to change').first().isVisible()).toBe(true);
    expect(await stack.database.db.evidenceReview.count({ where: { requestId: id } })).toBe(0);
    // What was ticked and typed is kept.
    expect(await form.getByLabel('Names the grade and the date').isChecked()).toBe(true);

    await form.getByLabel('Comment (to send it back: what to change)').fill('Include the rubric scores');
    await form.getByRole('button', { name: 'Send it back' }).click();
    await expect.poll(() => page.getByText('Sent back: they are told what to change.').isVisible()).toBe(true);
    await expect.poll(() => page.getByRole('heading', { name: 'Looked at' }).isVisible()).toBe(true);
    expect(await page.getByRole('heading', { name: 'Look at the evidence' }).count()).toBe(0);
    await expect.poll(() => page.getByText('Does not meet: Shows student work').isVisible()).toBe(true);
    const stored = await stack.database.db.evidenceRequest.findUniqueOrThrow({ where: { id }, include: { reviews: true } });
    // The date was read in the partnership's zone; the rubric kept in its order.
    expect([stored.status, stored.dueAt.toISOString()]).toEqual(['open', due.toUTC().toISO({ suppressMilliseconds: false })]);
    expect(stored.reviews[0]?.rubric).toEqual([
      { criterion: 'Names the grade and the date', met: true },
      { criterion: 'Shows student work', met: false },
    ]);
    await context.close();

    // Its owner sees the verdict and submits again; the form to judge it is not theirs.
    const owner = await signIn(stack, browser, 'ben@review.example');
    await owner.page.goto(`${stack.publicUrl}/p/${partnershipId}/evidence/${id}`);
    await expect.poll(() => owner.page.getByText('Include the rubric scores').isVisible()).toBe(true);
    expect(await owner.page.getByRole('heading', { name: 'Look at the evidence' }).count()).toBe(0);
    await expect.poll(() => owner.page.getByRole('heading', { name: 'Submit evidence' }).isVisible()).toBe(true);
    await expectAccessible(owner.page);
    await owner.context.close();
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { listCapturedMail } from '../../lib/mail/capture.js';
import { type ApiStack, threeMembers, useApiStack } from '../support/api-stack.js';
import { useBrowser } from '../support/browser.js';
import { DAY } from '../support/time.js';
import { actionLink, expectAccessible, mailTo, signIn } from '../support/web.js';

/**
 * Comments with mentions: a member comments on a commitment from her phone, mentioning another; he is
 * told by mail with the link to the commitment, where he reads it. Through the API the same, once;
 * another tenant learns nothing, hostile input writes nothing, a subject of another partnership is a 404.
 */
const stack: ApiStack = useApiStack('tandem-comments');
let partnershipId = '';
let commitmentId = '';

beforeAll(async () => {
  partnershipId = (await stack.createPartnership('Talkative literacy', threeMembers('comments.example'))).id;
  const c = await stack.call<{ id: string }>(stack.adminKey, 'POST', `/partnerships/${partnershipId}/commitments`, {
    ownerEmail: 'ben@comments.example',
    description: 'Send the coaching plan',
    dueAt: new Date(Date.now() + 20 * DAY).toISOString(),
  });
  expect(c.status, c.text).toBe(201);
  commitmentId = c.json.id;
});

const post = (body: unknown, key = stack.adminKey) =>
  stack.call<{ mentioned: string[] }>(key, 'POST', `/partnerships/${partnershipId}/comments`, body);

describe('comments', () => {
  const browser = useBrowser();

  it('tell the member a comment mentions, with the link to where it was written', async () => {
    const { context, page } = await signIn(stack, browser, 'ana@comments.example');
    await page.goto(`${stack.publicUrl}/p/${partnershipId}/commitments/${commitmentId}`);
    await expect.poll(() => page.getByText('No comment yet.').isVisible()).toBe(true);
    await expectAccessible(page);
    const form = page.getByRole('form', { name: 'Add a comment' });
    // Blank after trimming: the mistake at the form, nothing written.
    await form.getByLabel('Add a comment').fill('   ');
    await form.getByRole('button', { name: 'Post the comment' }).click();
    await expect.poll(() => page.getByText('must not be empty').first().isVisible()).toBe(true);
    expect(await stack.database.db.comment.count()).toBe(0);
    await form.getByLabel('Add a comment').fill('@Ben can you add the observation schedule? <b>Thanks</b>');
    await form.getByRole('button', { name: 'Post the comment' }).click();
    await expect.poll(() => page.getByText('Your comment is posted. The member you mentioned is told.').isVisible()).toBe(true);
    await expect.poll(() => page.getByText('@Ben can you add the observation schedule? <b>Thanks</b>').isVisible()).toBe(true);
    await context.close();

    const mail = await mailTo(
      stack,
      'ben@comments.example',
      /^Ana Diaz mentioned you on the commitment "Send the coaching plan" in Talkative literacy$/,
    );
    expect(mail.text).toContain('@Ben can you add the observation schedule? <b>Thanks</b>');
    expect(mail.html).toContain('&lt;b>Thanks&lt;/b>');
    expect(actionLink(mail)).toContain(`/p/${partnershipId}/commitments/${commitmentId}?t=`);
    // Nobody else was mentioned, so nobody else was told.
    expect((await listCapturedMail(stack.mailCaptureDir)).filter((m) => m.subject.includes('mentioned you'))).toHaveLength(1);
  });

  it('through the API: listed for the partnership, refused across tenants and for hostile input, writing nothing', async () => {
    const before = await stack.database.db.comment.count();
    const other = await stack.districtWithKey('Elsewhere USD');
    expect((await post({ on: 'commitment', subjectId: commitmentId, body: 'Hello' }, other.key)).status).toBe(404);
    expect(
      (await stack.call(other.key, 'GET', `/partnerships/${partnershipId}/comments?on=commitment&subjectId=${commitmentId}`)).status,
    ).toBe(404);
    for (const bad of [
      { on: 'commitment', subjectId: commitmentId, body: 'nul\u0000' },
      { on: 'commitment', subjectId: commitmentId, body: '' },
      { on: 'reflection', subjectId: commitmentId, body: 'Hello' },
      { on: 'commitment', subjectId: 'not-a-uuid', body: 'Hello' },
    ]) {
      expect((await post(bad)).status, JSON.stringify(bad)).toBe(400);
    }
    // A commitment of another partnership is not this one's to comment on.
    const elsewhere = await stack.createPartnership('Quiet literacy', [
      { name: 'Dee Park', email: 'dee@comments.example', role: 'district_lead' },
    ]);
    const theirs = await stack.call<{ id: string }>(stack.adminKey, 'POST', `/partnerships/${elsewhere.id}/commitments`, {
      ownerEmail: 'dee@comments.example',
      description: 'Theirs',
      dueAt: new Date(Date.now() + 20 * DAY).toISOString(),
    });
    expect((await post({ on: 'commitment', subjectId: theirs.json.id, body: 'Hello' })).status).toBe(404);
    expect(await stack.database.db.comment.count()).toBe(before);

    // A comment over several lines (CR/LF is text's own), mentioning two by name and one by address (nobody).
    const ok = await post({
      on: 'commitment',
      subjectId: commitmentId,
      body: 'Line one\r\n@Ana Diaz and @Cal Moss: ben@comments.example has it',
    });
    expect(ok.status).toBe(201);
    expect(ok.json.mentioned).toHaveLength(2);
    const listed = await stack.call<{ items: { body: string; by: { kind: string } }[] }>(
      stack.adminKey,
      'GET',
      `/partnerships/${partnershipId}/comments?on=commitment&subjectId=${commitmentId}`,
    );
    expect(listed.json.items.map((c) => c.by.kind)).toEqual(['person', 'api_key']);
    for (const to of ['ana@comments.example', 'cal@comments.example']) await mailTo(stack, to, /mentioned you on the commitment/);
  });
});

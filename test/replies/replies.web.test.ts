import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type DNSResolver, dkimSign } from 'mailauth';
import nodemailer from 'nodemailer';
import { describe, expect, it, onTestFinished } from 'vitest';
import { bounceAddress, inviteAddress } from '../../core/mail/reply-to.js';
import { partnershipHealth } from '../../core/reports/health.js';
import { listCapturedMail } from '../../lib/mail/capture.js';
import { type ApiStack, threeMembers, useApiStack } from '../support/api-stack.js';
import { useBrowser } from '../support/browser.js';
import { waitFor } from '../support/mailbox.js';
import { DAY } from '../support/time.js';
import { expectAccessible, signIn } from '../support/web.js';

/**
 * Answers by reply, on the real stack: a real SMTP client (nodemailer) signs each reply with DKIM and
 * hands it to Tandem's own SMTP listener, or posts it to POST /inbound/mail; Tandem checks DMARC with
 * mailauth against the test's DNS zone (the one thing mocked: the Internet's DNS), then acts through
 * the same commands as the pages. Each hostile reply does exactly what it should, and nothing more.
 */
const DOMAIN = 'lakeside.example';
const keyOf = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const lakeside = keyOf();
const evil = keyOf();
const spki = (k: ReturnType<typeof keyOf>) => k.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const ZONE: Record<string, string[]> = {
  [`sel._domainkey.${DOMAIN}`]: [`v=DKIM1; k=rsa; p=${spki(lakeside)}`],
  [`_dmarc.${DOMAIN}`]: ['v=DMARC1; p=reject'],
  // Replies come from 127.0.0.1, which the district's SPF does not list: DMARC passes by DKIM alone.
  [DOMAIN]: ['v=spf1 -all'],
  'sel._domainkey.evil.example': [`v=DKIM1; k=rsa; p=${spki(evil)}`],
  '_dmarc.evil.example': ['v=DMARC1; p=none'],
};
const resolver: DNSResolver = async (name, rrtype) => {
  const found = rrtype === 'TXT' ? ZONE[name.toLowerCase()] : undefined;
  if (!found) throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: rrtype === 'TXT' ? 'ENOTFOUND' : 'ENODATA' });
  return found.map((r) => [r]);
};
const INBOUND_SECRET = 'inbound-secret-of-at-least-thirty-two-characters';
const stack: ApiStack = useApiStack('tandem-replies', {
  replies: { domain: 'reply.tandem.test', inboundSecret: INBOUND_SECRET, resolver },
});
const browser = useBrowser();
const soon = (ms: number) => new Date(Date.now() + ms).toISOString();

interface Reply {
  from: string;
  to: string;
  text: string;
  /** Signed by this domain's key (default: the From's own, lakeside). */
  signer?: 'lakeside' | 'evil' | 'none';
  headers?: Record<string, string>;
  attachments?: { filename: string; content: Buffer }[];
  messageId?: string;
  /** Changed after signing, as a tampering relay would. */
  tamper?: boolean;
}

async function compose(r: Reply): Promise<Buffer> {
  const signer = r.signer ?? 'lakeside';
  const transport = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    ...(signer !== 'none' && {
      dkim: {
        domainName: signer === 'evil' ? 'evil.example' : DOMAIN,
        keySelector: 'sel',
        privateKey: (signer === 'evil' ? evil : lakeside).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
      },
    }),
  });
  const info = await transport.sendMail({
    from: r.from,
    to: r.to,
    subject: 'Re: your message',
    text: `${r.text}\n\nOn Mon, Dec 7, 2026 at 9:00 AM Tandem <tandem@test.example> wrote:\n> What Tandem asked\n> and its link\n`,
    ...(r.headers && { headers: r.headers }),
    ...(r.attachments && { attachments: r.attachments }),
    ...(r.messageId && { messageId: r.messageId }),
  });
  const raw = info.message as Buffer;
  return r.tamper ? Buffer.from(raw.toString().replace('On Mon, Dec 7', 'On Tue, Dec 8')) : raw;
}

/** Through Tandem's SMTP listener, as a district's mail server delivers it. */
async function bySmtp(r: Reply): Promise<void> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: stack.inboundSmtpPort, secure: false, ignoreTLS: true });
  await transport.sendMail({ envelope: { from: r.from, to: [r.to] }, raw: await compose(r) });
  transport.close();
}

async function deliverRaw(from: string, to: string, raw: string): Promise<void> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: stack.inboundSmtpPort, secure: false, ignoreTLS: true });
  await transport.sendMail({ envelope: { from, to: [to] }, raw });
  transport.close();
}

/** A delivery status notification as Postfix sends one. */
const dsn = (action: 'failed' | 'delayed', status: string) =>
  [
    'From: MAILER-DAEMON@mx.lakeside.example (Mail Delivery System)',
    'To: tandem@test.example',
    `Subject: ${action === 'failed' ? 'Undelivered Mail Returned to Sender' : 'Delayed Mail (still being retried)'}`,
    `Message-ID: <dsn-${action}@mx.lakeside.example>`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
    '',
    '--B',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    "I'm sorry to have to inform you that your message could not be delivered.",
    '',
    '--B',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.lakeside.example',
    'Arrival-Date: Mon, 7 Dec 2026 09:00:00 -0600 (CST)',
    '',
    `Final-Recipient: rfc822; cal@${DOMAIN}`,
    'Original-Recipient: rfc822;cal@lakeside.example',
    `Action: ${action}`,
    `Status: ${status}`,
    'Remote-MTA: dns; inbox.lakeside.example',
    `Diagnostic-Code: smtp; 550 5.1.1 <cal@${DOMAIN}>: Recipient address rejected: mailbox unavailable`,
    '',
    '--B',
    'Content-Type: text/rfc822-headers',
    '',
    'Subject: New evidence request for you: Walkthrough notes',
    '',
    '--B--',
    '',
  ].join('\r\n');

/** Through POST /inbound/mail, as an inbound-mail provider posts it. */
async function byHttp(r: Reply, secret = INBOUND_SECRET) {
  const res = await fetch(`${stack.baseUrl}/inbound/mail`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'message/rfc822' },
    body: new Uint8Array(await compose(r)),
  });
  return { status: res.status, json: (await res.json()) as { outcome: string; reason: string } };
}

const db = () => stack.database.db;
const replyAddress = async (personEmail: string, kind: string, subjectId: string) =>
  waitFor(`a reply address for ${personEmail}`, async () => {
    const row = await db().emailOutbox.findFirst({
      where: { recipient: personEmail, replyKind: kind, replySubjectId: subjectId, replyTo: { not: null } },
    });
    return row?.replyTo ?? undefined;
  });
const outcomeOf = (count: number) =>
  waitFor(`reply ${count} to be read`, async () => {
    const rows = await db().inboundReply.findMany({ orderBy: { receivedAt: 'asc' } });
    return rows.length >= count && rows.every((r) => r.outcome !== 'received') ? rows[count - 1] : undefined;
  });
const answersTo = (email: string) =>
  db().emailOutbox.findMany({ where: { template: 'reply-answer', recipient: email }, orderBy: { createdAt: 'asc' } });

describe('answers by reply', () => {
  it('acts on replies that pass DMARC from the copy’s own recipient, and on nothing else', async () => {
    const { id, firstReview } = await stack.createPartnership('Replies literacy', threeMembers(DOMAIN), { firstReviewAt: soon(3_600_000) });
    expect(await stack.reviewPlanned(id)).toBe(firstReview.id);
    const held = await stack.call(stack.adminKey, 'POST', `/partnerships/${id}/reviews/${firstReview.id}/outcome`, {
      outcome: 'held',
      commitments: [
        { ownerEmail: `ben@${DOMAIN}`, side: 'partner', description: 'Send the coaching plan', dueAt: soon(10 * DAY) },
        { ownerEmail: `ben@${DOMAIN}`, side: 'partner', description: 'Book the data room', dueAt: soon(12 * DAY) },
      ],
      evidenceRequests: [{ ownerEmail: `cal@${DOMAIN}`, description: 'Walkthrough notes', kinds: ['observation'], dueAt: soon(20 * DAY) }],
    });
    expect(held.status, held.text).toBe(200);
    const plan = await db().commitment.findFirstOrThrow({ where: { description: 'Send the coaching plan' } });
    const room = await db().commitment.findFirstOrThrow({ where: { description: 'Book the data room' } });
    const notes = await db().evidenceRequest.findFirstOrThrow({ where: { description: 'Walkthrough notes' } });
    const planAddress = await replyAddress(`ben@${DOMAIN}`, 'commitment', plan.id);
    const roomAddress = await replyAddress(`ben@${DOMAIN}`, 'commitment', room.id);
    const notesAddress = await replyAddress(`cal@${DOMAIN}`, 'evidence', notes.id);
    const anaReflects = await replyAddress(`ana@${DOMAIN}`, 'reflection', firstReview.id);
    expect(planAddress).toMatch(/^reply\+[a-z2-7]{26}@reply\.tandem\.test$/);
    const copy = await db().emailOutbox.findFirstOrThrow({ where: { replyTo: planAddress } });
    expect(copy.text).toContain('You can answer by replying to this email');
    const ben = `ben@${DOMAIN}`;

    // A forged From (signed by another domain), a body changed after signing, another member replying
    // to Ben's address, and a NUL in the note: each refused, Ben told why, the commitment untouched.
    await bySmtp({ from: ben, to: planAddress, text: 'done', signer: 'evil' });
    expect((await outcomeOf(1)).reason).toMatch(/DMARC: fail/);
    await bySmtp({ from: ben, to: planAddress, text: 'done', tamper: true });
    expect((await outcomeOf(2)).reason).toMatch(/DMARC: fail/);
    await bySmtp({ from: `ana@${DOMAIN}`, to: planAddress, text: 'done' });
    expect((await outcomeOf(3)).reason).toMatch(/came from ana@lakeside\.example, not from ben@lakeside\.example/);
    await bySmtp({ from: ben, to: planAddress, text: 'done, sent \u0000 it' });
    expect((await outcomeOf(4)).outcome).toBe('refused');
    expect((await db().commitment.findUniqueOrThrow({ where: { id: plan.id } })).status).toBe('open');
    await waitFor('four answers to Ben', async () => ((await answersTo(ben)).length === 4 ? true : undefined));
    expect((await answersTo(ben)).every((a) => a.subject.startsWith('Not done: '))).toBe(true);
    // Sent marked as automatic (RFC 3834): Ben's out-of-office must not answer it.
    const answered = await waitFor('an answer delivered to Ben', async () =>
      (await listCapturedMail(stack.mailCaptureDir)).find((m) => m.envelopeTo.includes(ben) && m.subject.startsWith('Not done: ')),
    );
    expect(await readFile(path.join(stack.mailCaptureDir, `${answered.id}.eml`), 'utf8')).toMatch(/^Auto-Submitted: auto-replied\r?$/m);
    // Sent during the request, it still has a bounce address of its own.
    expect(answered.envelopeFrom).toMatch(/^bounce\+[0-9a-f]{32}@reply\.tandem\.test$/);

    // An out-of-office reply is ignored and not answered (an answer would start a loop).
    await bySmtp({ from: ben, to: planAddress, text: 'I am away until Monday.', headers: { 'Auto-Submitted': 'auto-replied' } });
    expect((await outcomeOf(5)).outcome).toBe('ignored');

    // "done" completes it, as Ben, by email; the note is what follows.
    await bySmtp({ from: ben, to: planAddress, text: 'Done, sent it Friday' });
    expect((await outcomeOf(6)).outcome).toBe('acted');
    const done = await db().commitment.findUniqueOrThrow({ where: { id: plan.id } });
    expect(done.status).toBe('done');
    expect(done.closeNote).toBe('sent it Friday');
    const event = await db().partnershipEvent.findFirstOrThrow({ where: { partnershipId: id, type: 'commitment.done' } });
    expect([event.actorName, event.via]).toEqual(['Ben Ode', 'email']);
    // Its address expires with it: a second "done" is refused.
    await bySmtp({ from: ben, to: planAddress, text: 'done' });
    expect((await outcomeOf(7)).reason).toMatch(/already closed/);

    // "need until <date>" asks for more time, with the rest as the reason, keeping the time of day.
    const until = new Date(room.dueAt.getTime() + 20 * DAY);
    const untilText = until.toLocaleDateString('en-US', { timeZone: 'America/Chicago', month: 'long', day: 'numeric', year: 'numeric' });
    await bySmtp({ from: ben, to: roomAddress, text: `need until ${untilText}, the room is being painted` });
    expect((await outcomeOf(8)).outcome).toBe('acted');
    const moved = await db().commitment.findUniqueOrThrow({ where: { id: room.id }, include: { extensions: true } });
    expect(moved.dueAt.getTime()).toBe(room.dueAt.getTime() + 20 * DAY);
    expect(moved.extensions.map((e) => e.reason)).toEqual(['the room is being painted']);

    // What Tandem cannot read is shown to the leads, and answered.
    await bySmtp({ from: ben, to: roomAddress, text: 'Who should I ask about the room?' });
    expect((await outcomeOf(9)).outcome).toBe('not_understood');

    // Evidence attached to a reply is submitted, by the HTTP door this time (the same checks).
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
    expect((await byHttp({ from: `cal@${DOMAIN}`, to: notesAddress, text: 'walkthrough photo', signer: 'evil' })).json.outcome).toBe(
      'refused',
    );
    const sent = await byHttp({
      from: `cal@${DOMAIN}`,
      to: notesAddress,
      text: 'The walkthrough, as promised',
      attachments: [{ filename: 'walk.png', content: png }],
    });
    expect(sent.status).toBe(200);
    expect(sent.json).toMatchObject({ outcome: 'acted' });
    const items = await db().evidenceItem.findMany({
      where: { requestId: notes.id },
      include: { file: { select: { filename: true, contentType: true } } },
    });
    expect(items.map((i) => [i.text, i.file?.filename, i.file?.contentType])).toEqual([
      ['The walkthrough, as promised', 'walk.png', 'image/png'],
    ]);

    // A reflection from the headings of the prompt; the same reply by both doors at once acts once.
    const reflection = {
      from: `ana@${DOMAIN}`,
      to: anaReflects,
      text: "What worked: the classroom visits\nWhat didn't: the data came late\nHow to improve: send it a week ahead",
      messageId: '<ana-reflects@lakeside.example>',
    };
    const [viaSmtp, viaHttp] = await Promise.allSettled([bySmtp(reflection), byHttp(reflection)]);
    expect(viaSmtp.status).toBe('fulfilled');
    expect(viaHttp.status === 'fulfilled' && viaHttp.value.status).toBe(200);
    const saved = await waitFor('the reflection', async () => {
      const r = await db().reflection.findFirst({ where: { reviewId: firstReview.id, person: { email: `ana@${DOMAIN}` } } });
      return r?.submittedAt ? r : undefined;
    });
    expect([saved.whatWorked, saved.whatDidnt, saved.howToImprove]).toEqual([
      'the classroom visits',
      'the data came late',
      'send it a week ahead',
    ]);
    expect(await db().inboundReply.count({ where: { messageKey: `ana@${DOMAIN}:<ana-reflects@lakeside.example>` } })).toBe(1);

    // The endpoint takes nothing without its secret.
    expect((await byHttp(reflection, 'not-the-secret-but-just-as-long-as-it-is-xx')).status).toBe(401);

    // Ana (a lead) sees the reply Tandem could not read on the partnership's page.
    const shown = await db().inboundReply.findMany({ where: { partnershipId: id, outcome: 'not_understood' } });
    expect(shown.map((r) => r.text)).toEqual(['Who should I ask about the room?']);
    // Integrations read them too; another tenant's key finds no such partnership.
    const listed = await stack.call<{ items: { text: string; person: { name: string } }[] }>(
      stack.adminKey,
      'GET',
      `/partnerships/${id}/replies`,
    );
    expect(listed.json.items.map((r) => [r.person.name, r.text])).toEqual([['Ben Ode', 'Who should I ask about the room?']]);
    const other = await stack.districtWithKey('Replies elsewhere USD');
    expect((await stack.call(other.key, 'GET', `/partnerships/${id}/replies`)).status).toBe(404);
    const { context, page } = await signIn(stack, browser, `ana@${DOMAIN}`);
    await page.goto(`${stack.publicUrl}/p/${id}`);
    const section = page.getByRole('region', { name: 'Replies Tandem did not understand' });
    const shownText = await section.textContent();
    expect(shownText).toContain('Who should I ask about the room?');
    expect(shownText).toContain('Ben Ode replied to');
    await expectAccessible(page);
    // The timeline says who acted by email.
    expect(await page.getByRole('region', { name: 'Timeline' }).textContent()).toMatch(/commitment done by Ben Ode, by email/);
    await context.close();

    // A bounce that comes back later (RFC 3464, as Postfix writes one) marks the copy and the address
    // bounced, as a refusal during the send does; a delay report changes nothing.
    const assigned = await db().emailOutbox.findFirstOrThrow({ where: { template: 'evidence-assigned', recipient: `cal@${DOMAIN}` } });
    const captured = (await listCapturedMail(stack.mailCaptureDir)).find((m) => m.subject.startsWith('New evidence request for you'));
    expect(captured?.envelopeFrom).toBe(bounceAddress(assigned.id, 'reply.tandem.test'));
    await deliverRaw('MAILER-DAEMON@mx.lakeside.example', bounceAddress(assigned.id, 'reply.tandem.test'), dsn('delayed', '4.4.7'));
    expect((await outcomeOf(13)).outcome).toBe('ignored');
    await deliverRaw('MAILER-DAEMON@mx.lakeside.example', bounceAddress(assigned.id, 'reply.tandem.test'), dsn('failed', '5.1.1'));
    expect(await outcomeOf(14)).toMatchObject({ outcome: 'bounce' });
    expect((await db().emailOutbox.findUniqueOrThrow({ where: { id: assigned.id } })).status).toBe('bounced');
    const cal = await db().person.findUniqueOrThrow({ where: { email: `cal@${DOMAIN}` } });
    expect(cal.emailBounce).toMatch(/5\.1\.1.*mailbox unavailable/);

    // The HTTP door refuses alike: a forged From, a body changed after signing, another member's
    // reply, an out-of-office, an address past its lifetime; the commitment stays as it was.
    const httpReply = async (r: Reply) => (await byHttp(r)).json;
    const refused = (why: RegExp) => ({ outcome: 'refused', reason: expect.stringMatching(why) });
    expect(await httpReply({ from: ben, to: roomAddress, text: 'done', signer: 'evil' })).toMatchObject(refused(/DMARC: fail/));
    expect(await httpReply({ from: ben, to: roomAddress, text: 'done', tamper: true })).toMatchObject(refused(/DMARC: fail/));
    expect(await httpReply({ from: `ana@${DOMAIN}`, to: roomAddress, text: 'done' })).toMatchObject(refused(/came from ana@/));
    expect(await httpReply({ from: ben, to: roomAddress, text: 'Away', headers: { 'Auto-Submitted': 'auto-replied' } })).toMatchObject({
      outcome: 'ignored',
    });
    await db().emailOutbox.updateMany({ where: { replyTo: roomAddress }, data: { createdAt: new Date(Date.now() - 121 * DAY) } });
    expect(await httpReply({ from: ben, to: roomAddress, text: 'done' })).toMatchObject(refused(/too old/));
    expect((await db().commitment.findUniqueOrThrow({ where: { id: room.id } })).status).toBe('open');

    // Temporal down: the reply is not taken (503, nothing recorded), so the provider's retry is read
    // afresh once it is back, and acts.
    await db().emailOutbox.updateMany({ where: { replyTo: roomAddress }, data: { createdAt: new Date() } });
    const retried: Reply = { from: ben, to: roomAddress, text: 'done, booked it', messageId: '<ben-retried@lakeside.example>' };
    await stack.dev.stop();
    onTestFinished(async () => {
      if (!stack.dev.alive()) await stack.restartTemporal();
    });
    expect((await byHttp(retried)).status).toBe(503);
    expect(await db().inboundReply.count({ where: { messageKey: { contains: 'ben-retried' } } })).toBe(0);
    await stack.restartTemporal();
    await waitFor('Temporal to answer', async () => (await stack.call(null, 'GET', '/health')).status === 200);
    expect(await httpReply(retried)).toMatchObject({ outcome: 'acted' });
    expect((await db().commitment.findUniqueOrThrow({ where: { id: room.id } })).status).toBe('done');
  });
});

/** A calendar app's answer, in the shape its vendor sends (test/fixtures/calendar-replies/), DKIM-signed. */
async function calendarReply(
  vendor: 'google' | 'outlook' | 'apple',
  v: {
    name: string;
    attendee: string;
    from?: string;
    review: { id: string; scheduledAt: Date; sequence: number };
    summary: string;
    comment?: string;
  },
  signer: 'lakeside' | 'evil' = 'lakeside',
): Promise<string> {
  const stamp = (d: Date) =>
    d
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
  const fill: Record<string, string> = {
    NAME: v.name,
    ATTENDEE: v.attendee,
    ORGANIZER: inviteAddress(v.review.id, 'reply.tandem.test'),
    ORGANIZER_NAME: 'Ana Diaz',
    UID: `review-${v.review.id}@tandem`,
    SEQUENCE: String(v.review.sequence),
    SUMMARY: v.summary,
    WHEN: v.review.scheduledAt.toUTCString(),
    DTSTART: stamp(v.review.scheduledAt),
    DTEND: stamp(new Date(v.review.scheduledAt.getTime() + 3_600_000)),
    COMMENT: v.comment ?? '',
    // Each answer is a message of its own, as each app's Message-ID makes it.
    ID: randomUUID().toUpperCase(),
  };
  const template = await readFile(path.join(import.meta.dirname, '../fixtures/calendar-replies', `${vendor}.eml`), 'utf8');
  let raw = template.replace(/\{\{(\w+)\}\}/g, (_, k: string) => fill[k] ?? '').replace(/\r?\n/g, '\r\n');
  if (v.from) raw = raw.replace(`From: ${v.name} <${v.attendee}>`, `From: ${v.name} <${v.from}>`);
  const key = signer === 'evil' ? evil : lakeside;
  // mailauth signs what `signatureData` lists (its types also ask for the one signature at the top).
  const signature = {
    signingDomain: signer === 'evil' ? 'evil.example' : DOMAIN,
    selector: 'sel',
    privateKey: key.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
  };
  const { signatures } = await dkimSign(raw, { ...signature, signatureData: [signature] });
  if (!signatures) throw new Error('the reply could not be signed');
  return signatures + raw;
}

describe('attendance from calendar replies', () => {
  it('reads Google’s, Outlook’s and Apple’s answers to an invitation, shows them, and tells the other lead of a lead’s decline', async () => {
    const name = 'Attendance literacy';
    const { id, firstReview } = await stack.createPartnership(name, threeMembers('lakeside.example'), { firstReviewAt: soon(20 * DAY) });
    const invitation = await waitFor(
      'the invitation',
      async () => (await db().emailOutbox.findFirst({ where: { partnershipId: id, template: 'review-invitation' } })) ?? undefined,
    );
    const organizer = inviteAddress(firstReview.id, 'reply.tandem.test');
    expect(invitation.ics?.replace(/\r\n /g, '')).toContain(`mailto:${organizer}`);
    expect(invitation.ics).toContain('RSVP=TRUE');
    const review = await db().review.findUniqueOrThrow({ where: { id: firstReview.id } });
    const about = {
      review: { id: review.id, scheduledAt: review.scheduledAt, sequence: review.calendarSequence },
      summary: `Partnership review #1: ${name}`,
    };
    const before = await db().inboundReply.count();
    const read = (n: number) => outcomeOf(before + n);

    await deliverRaw(`ana@${DOMAIN}`, organizer, await calendarReply('google', { ...about, name: 'Ana Diaz', attendee: `ana@${DOMAIN}` }));
    expect(await read(1)).toMatchObject({ outcome: 'acted' });
    await deliverRaw(`cal@${DOMAIN}`, organizer, await calendarReply('apple', { ...about, name: 'Cal Moss', attendee: `cal@${DOMAIN}` }));
    expect(await read(2)).toMatchObject({ outcome: 'acted' });
    // A forged decline (signed by another domain), and an answer for someone else: refused, nothing kept.
    await deliverRaw(
      `ben@${DOMAIN}`,
      organizer,
      await calendarReply('outlook', { ...about, name: 'Ben Ode', attendee: `ben@${DOMAIN}` }, 'evil'),
    );
    expect(await read(3)).toMatchObject({ outcome: 'refused', reason: 'DMARC: fail' });
    await deliverRaw(
      `cal@${DOMAIN}`,
      organizer,
      await calendarReply('outlook', { ...about, name: 'Cal Moss', attendee: `ben@${DOMAIN}`, from: `cal@${DOMAIN}` }),
    );
    expect(await read(4)).toMatchObject({ outcome: 'refused', reason: `it answers for ben@${DOMAIN}, but came from cal@${DOMAIN}` });
    expect(await db().reviewAttendance.count({ where: { reviewId: review.id, response: 'declined' } })).toBe(0);

    // Ben (a lead) declines in Outlook, with a comment: Ana, the other lead, is told and offered to move it.
    await deliverRaw(
      `ben@${DOMAIN}`,
      organizer,
      await calendarReply('outlook', {
        ...about,
        name: 'Ben Ode',
        attendee: `ben@${DOMAIN}`,
        comment: 'I am at the state conference that week.',
      }),
    );
    expect(await read(5)).toMatchObject({ outcome: 'acted' });
    const answers = await db().reviewAttendance.findMany({
      where: { reviewId: review.id },
      include: { person: true },
      orderBy: { person: { name: 'asc' } },
    });
    expect(answers.map((a) => [a.person.name, a.response, a.comment])).toEqual([
      ['Ana Diaz', 'accepted', null],
      ['Ben Ode', 'declined', 'I am at the state conference that week.\n'],
      ['Cal Moss', 'tentative', null],
    ]);
    const told = await waitFor(
      'Ana told of the decline',
      async () => (await db().emailOutbox.findFirst({ where: { template: 'review-declined', recipient: `ana@${DOMAIN}` } })) ?? undefined,
    );
    expect(told.subject).toBe(`Ben Ode declined review #1 of ${name}`);
    expect(told.text).toMatch(/Reschedule the review: http:\/\/tandem\.test:\d+\/p\/[^/]+\/reviews\//);
    expect(await db().emailOutbox.count({ where: { template: 'review-declined', recipient: `ben@${DOMAIN}` } })).toBe(0);

    // Each page that shows the review says so.
    const line = '1 of 3 accepted, 1 tentative, 1 of 3 declined';
    const [health] = await partnershipHealth(db(), { id }, new Date());
    expect(health?.nextReviewAttendance).toBe(line);
    const { context, page } = await signIn(stack, browser, `ana@${DOMAIN}`);
    await page.goto(`${stack.publicUrl}/p/${id}`);
    expect(await page.getByRole('region', { name: 'Reviews' }).textContent()).toContain(line);
    await page.goto(`${stack.publicUrl}/p/${id}/reviews/${review.id}`);
    const shown = await page.getByRole('region', { name: 'Answers to the invitation' }).textContent();
    expect(shown).toContain('Ben Ode: declined');
    expect(shown).toContain('I am at the state conference that week.');
    await expectAccessible(page);
    await context.close();
  });
});

import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { createMailer } from '../../lib/mail/mailer.js';
import { commitmentWorkflow } from '../../workflows/deadlines/commitment.js';
import { mailboxWorkflowId } from '../../workflows/ids.js';
import { endUpdate, statusQuery } from '../../workflows/partnerships/partnership.js';
import { parseInvitation } from '../support/ics.js';
import { createPartnershipRecord, DAY, HOUR, MINUTE, recordHistory, useTimeSkippingStack, waitFor } from '../support/kit.js';
import { startTestSmtp } from '../support/smtp.js';

const QUEUE = 'tandem-notifications';

describe('notifications through the outbox (time-skipping, real SMTP in-process)', () => {
  const stack = useTimeSkippingStack(QUEUE);
  const db = () => stack.database.db;
  const startPartnership = (id: string) => stack.startPartnership(id);
  const rowsOf = (where: { personId?: string; template?: string; partnershipId?: string }) =>
    db().emailOutbox.findMany({ where, orderBy: [{ dueAt: 'asc' }, { createdAt: 'asc' }] });

  it('gives each member a copy in their own zone across a DST change, escapes user text, and sends invitations calendar apps read', async () => {
    const t0 = await stack.env.currentTimeMs();
    // The first day, at least three weeks ahead, on which Chicago moves its clocks forward.
    let day = DateTime.fromMillis(t0 + 21 * DAY, { zone: 'America/Chicago' }).startOf('day');
    while (day.offset === day.plus({ days: 1 }).offset) day = day.plus({ days: 1 });
    const dstDay = day.plus({ days: 1 });
    const review = dstDay.plus({ days: 2 }).set({ hour: 15, minute: 30 });
    const p = await createPartnershipRecord(db(), {
      firstReviewAt: review.toJSDate(),
      reminderOffsets: ['P14D'],
      timeZone: 'America/Chicago',
      plannedAt: t0,
    });
    const ana = p.districtLead;
    const ben = p.partnerLead;
    await db().person.update({ where: { id: ben.id }, data: { timeZone: 'Europe/Berlin' } });
    const reminderAt = review.minus({ days: 14 });
    expect(reminderAt.offset).not.toBe(review.offset);
    const commitment = await db().commitment.create({
      data: {
        partnershipId: p.id,
        ownerId: ben.id,
        side: 'partner',
        description: 'Share the walkthrough data <script>alert("x")</script> & notes',
        dueAt: review.minus({ days: 1 }).toJSDate(),
      },
    });

    await (await stack.newWorker()).runUntil(async () => {
      const handle = await startPartnership(p.id);
      const deadline = await stack.env.client.workflow.start(commitmentWorkflow, {
        workflowId: `commitment:${commitment.id}`,
        taskQueue: QUEUE,
        args: [{ commitmentId: commitment.id }],
      });
      await stack.sleepUntil(review.minus({ days: 1, hours: 23 }).toMillis());
      await waitFor('the reminder and the commitment reminders', async () => (await rowsOf({ partnershipId: p.id })).length >= 6);
      await handle.executeUpdate(endUpdate, { args: [{ outcome: 'ended_early', reason: 'district withdrew' }] });
      // Ending the partnership closes its open commitment, whose workflow then finishes.
      await deadline.result();
      await handle.result();
    });
    expect(await db().commitment.findUniqueOrThrow({ where: { id: commitment.id } })).toMatchObject({
      status: 'dropped',
      closeNote: 'The partnership ended: district withdrew',
    });

    const received = await stack.mailbox.messages();
    const to = (person: { email: string }, subject: string) => {
      const found = received.filter((m) => m.to.includes(person.email) && m.subject.startsWith(subject));
      expect(found, `${subject} to ${person.email}`).toHaveLength(1);
      return found[0] as (typeof found)[number];
    };
    const date = review.toFormat('cccc, LLLL d, yyyy');
    // Sent in CST, about a review in CDT: each reader sees the review's own local time, zone named.
    expect(to(ana, 'Reminder:').text).toContain(`is on ${date} at 3:30 PM CDT (America/Chicago).`);
    expect(to(ben, 'Reminder:').text).toContain(`is on ${date} at 9:30 PM GMT+1 (Europe/Berlin).`);
    expect(to(ben, 'Reminder:').text).toContain('Times in this message are in Europe/Berlin.');
    expect(to(ben, 'Reminder:').html).toContain('9:30 PM GMT+1 (Europe/Berlin)');

    // The commitment's text arrives escaped in HTML, as written in plain text, in both of its reminders.
    const dues = received.filter((m) => m.to.includes(ben.email) && m.subject.startsWith('Due soon: Share the walkthrough data'));
    expect(dues).toHaveLength(2);
    for (const due of dues) {
      expect(due.html).toContain('&lt;script>alert(&quot;x&quot;)&lt;/script> &amp; notes');
      expect(due.html).not.toContain('<script>');
      expect(due.text).toContain('<script>alert("x")</script> & notes');
      expect(due.text).toContain(`due on ${review.minus({ days: 1 }).setZone('Europe/Berlin').toFormat('cccc, LLLL d, yyyy')}`);
    }

    // Reminders are optional: they carry an unsubscribe link and the one-click header; invitations do not.
    const member = await db().partnershipMember.findUniqueOrThrow({
      where: { partnershipId_personId: { partnershipId: p.id, personId: ana.id } },
    });
    expect(to(ana, 'Reminder:').text).toContain(`Stop reminders from ${p.name}: http://tandem.test/unsubscribe/${member.unsubscribeToken}`);
    const rows = await rowsOf({ partnershipId: p.id, personId: ana.id });
    expect(rows.find((r) => r.template === 'review-reminder')?.unsubscribeUrl).toBe(
      `http://tandem.test/unsubscribe/${member.unsubscribeToken}`,
    );
    expect(rows.find((r) => r.template === 'review-invitation')?.unsubscribeUrl).toBeNull();

    // The invitation and the cancellation read back by ical.js: same UID, SEQUENCE raised, the review's UTC time.
    const invitation = to(ana, 'Invitation:');
    expect(invitation.attachments.map((a) => a.contentType)).toContain('text/calendar');
    expect(parseInvitation(invitation.calendar as string)).toMatchObject({
      method: 'REQUEST',
      uid: `review-${p.review.id}@tandem`,
      sequence: 0,
      start: review.toMillis(),
      end: review.toMillis() + HOUR,
      status: 'CONFIRMED',
      // Organized by the district's lead, sent by Tandem for her; nobody is asked to answer Tandem.
      organizer: `mailto:${ana.email}`,
      sentBy: 'mailto:tandem@test.example',
      attendees: expect.arrayContaining([`mailto:${ana.email}`, `mailto:${ben.email}`]),
      rsvp: ['FALSE', 'FALSE'],
    });
    expect(to(ben, 'Invitation:').text).toContain(`on ${date} at 9:30 PM GMT+1 (Europe/Berlin)`);
    const cancel = to(ben, 'Cancelled:');
    expect(parseInvitation(cancel.calendar as string)).toMatchObject({
      method: 'CANCEL',
      uid: `review-${p.review.id}@tandem`,
      sequence: 1,
      status: 'CANCELLED',
    });
    expect(to(ana, `${p.name} is ended`).text).toContain('Reason: district withdrew');
    expect(received.every((m) => m.to.length === 1)).toBe(true);
  });

  it('gathers a digest reader’s reminders of one day into one email at their hour, and holds mail over quiet hours', async () => {
    const t0 = await stack.env.currentTimeMs();
    const zone = 'America/New_York';
    const day = DateTime.fromMillis(t0 + 3 * DAY, { zone }).startOf('day');
    // The review is the evening after the reminders' day, so it is still ahead when held mail goes out.
    const reviewAt = day.plus({ days: 1 }).set({ hour: 23 });
    const make = () =>
      createPartnershipRecord(db(), {
        firstReviewAt: reviewAt.toJSDate(),
        // 09:00, 13:00, 17:00 and 21:00 on the day before the review.
        reminderOffsets: ['PT38H', 'PT34H', 'PT30H', 'PT26H'],
        timeZone: zone,
        plannedAt: t0,
      });
    const [p1, p2] = [await make(), await make()];
    const dana = p1.districtLead;
    const eli = p1.partnerLead;
    await db().person.update({ where: { id: dana.id }, data: { mailDelivery: 'daily_digest', digestHour: 7 } });
    await db().person.update({ where: { id: eli.id }, data: { timeZone: zone, quietFrom: '20:00', quietUntil: '08:00' } });
    await db().partnershipMember.create({ data: { partnershipId: p2.id, personId: dana.id, role: 'district_lead' } });
    const digestAt = day.plus({ days: 1 }).set({ hour: 7 }).toMillis();
    const quietEnd = day.plus({ days: 1 }).set({ hour: 8 }).toMillis();

    await (await stack.newWorker()).runUntil(async () => {
      const handles = [await startPartnership(p1.id), await startPartnership(p2.id)];
      await stack.sleepUntil(day.set({ hour: 21, minute: 30 }).toMillis());
      for (const h of handles) await waitFor('all four reminders', async () => (await h.query(statusQuery)).sentReminders.length === 4);
      expect((await rowsOf({ personId: dana.id, template: 'review-reminder' })).map((r) => r.status)).toEqual(Array(8).fill('held'));
      await stack.sleepUntil(quietEnd + 5 * MINUTE);
      await waitFor('the digest and the held reminder', async () => {
        const rows = await rowsOf({ personId: dana.id });
        const eliRows = await rowsOf({ personId: eli.id, template: 'review-reminder' });
        return rows.some((r) => r.template === 'digest' && r.status === 'sent') && eliRows.every((r) => r.status === 'sent');
      });
      for (const h of handles) await h.executeUpdate(endUpdate, { args: [{ outcome: 'completed' }] });
      // With nothing more held, each mailbox workflow ends; the next held message starts it again.
      for (const [person, name] of [
        [dana, 'digest-of-a-days-reminders'],
        [eli, 'held-over-quiet-hours-review-ahead'],
      ] as const) {
        const mailbox = stack.env.client.workflow.getHandle(mailboxWorkflowId(person.id));
        await waitFor('the mailbox workflow to end', async () => (await mailbox.describe()).status.name === 'COMPLETED');
        await recordHistory(mailbox, name);
      }
    });

    // Dana: her two invitations at once, then one digest at 07:00 her time. Of each review's four
    // reminders only the latest is worth reading; the three before it are dropped, not sent twice.
    const danaRows = await rowsOf({ personId: dana.id });
    const digest = danaRows.find((r) => r.template === 'digest');
    expect(digest?.dueAt?.getTime()).toBeGreaterThanOrEqual(digestAt);
    expect(digest?.dueAt?.getTime()).toBeLessThan(digestAt + MINUTE);
    const items = danaRows.filter((r) => r.template === 'review-reminder');
    for (const p of [p1, p2]) {
      // In the order they fell due: the 09:00, 13:00 and 17:00 reminders dropped, the 21:00 one in the digest.
      expect(items.filter((r) => r.partnershipId === p.id).map((r) => [r.status, r.inDigest, r.digestId, r.sendAfter?.getTime()])).toEqual([
        ['dropped', true, null, digestAt],
        ['dropped', true, null, digestAt],
        ['dropped', true, null, digestAt],
        ['sent', true, digest?.id, digestAt],
      ]);
    }
    const danaMail = (await stack.mailbox.messages()).filter((m) => m.to.includes(dana.email));
    const subjects = danaMail.map((m) => m.subject);
    expect(subjects.filter((s) => s.startsWith('Reminder:'))).toEqual([]);
    expect(subjects.filter((s) => s.startsWith('Invitation:'))).toHaveLength(2);
    const digests = danaMail.filter((m) => m.subject.startsWith('Your Tandem digest'));
    expect(digests.map((m) => m.subject)).toEqual([
      `Your Tandem digest for ${day.plus({ days: 1 }).toFormat('cccc, LLLL d')}: 2 reminders`,
    ]);
    expect(digests[0]?.text.match(/^\d\. Reminder: review #1 of /gm)).toHaveLength(2);
    expect(digests[0]?.text).toContain(p1.name);
    expect(digests[0]?.text).toContain(p2.name);

    // Eli: three reminders on time; the 21:00 one falls in his quiet hours and goes out at 08:00.
    const eliRows = await rowsOf({ personId: eli.id, template: 'review-reminder' });
    expect(
      eliRows.map((r) => [DateTime.fromMillis(r.dueAt?.getTime() ?? 0, { zone }).hour, r.status, r.sendAfter?.getTime() ?? null]),
    ).toEqual([
      [9, 'sent', null],
      [13, 'sent', null],
      [17, 'sent', null],
      [21, 'sent', quietEnd],
    ]);
    expect((await stack.mailbox.messages()).filter((m) => m.to.includes(eli.email) && m.subject.startsWith('Reminder:'))).toHaveLength(4);
  });

  it('keeps messages while the SMTP server is down and delivers each once when it returns', async () => {
    const smtp = await startTestSmtp();
    const mailer = createMailer(smtp.url(), 'Tandem <tandem@test.example>');
    try {
      const t0 = await stack.env.currentTimeMs();
      const p = await createPartnershipRecord(db(), {
        firstReviewAt: new Date(t0 + 20 * DAY),
        reminderOffsets: ['P14D'],
        timeZone: 'UTC',
        plannedAt: t0,
      });
      await (await stack.newWorker({ mailer })).runUntil(async () => {
        const handle = await startPartnership(p.id);
        await waitFor('the invitations', async () => smtp.received.length === 2);
        await smtp.stop();
        await stack.sleepUntil(t0 + 6 * DAY + MINUTE);
        const retrying = await waitFor('a few failed attempts', async () => {
          const rows = await rowsOf({ partnershipId: p.id, template: 'review-reminder' });
          return rows.length === 2 && rows.every((r) => r.attempts >= 2 && r.status === 'pending') && rows;
        });
        expect(retrying.map((r) => r.lastError)).toEqual([expect.stringMatching(/ECONNREFUSED/), expect.stringMatching(/ECONNREFUSED/)]);
        await smtp.start();
        await waitFor('the reminders', async () =>
          (await rowsOf({ partnershipId: p.id, template: 'review-reminder' })).every((r) => r.status === 'sent'),
        );
        await waitFor('the workflow to record the reminder', async () => (await handle.query(statusQuery)).sentReminders.length === 1);
        await handle.executeUpdate(endUpdate, { args: [{ outcome: 'completed' }] });
      });
      const reminders = smtp.received.filter((m) => m.mail.subject?.startsWith('Reminder:'));
      expect(reminders.flatMap((m) => m.envelopeTo).sort()).toEqual(p.emails);
      const rows = await rowsOf({ partnershipId: p.id, template: 'review-reminder' });
      expect(rows.every((r) => r.status === 'sent' && r.lastError === null && r.attempts >= 3)).toBe(true);
    } finally {
      mailer.close();
      await smtp.stop();
    }
  });

  it('marks a message failed after retrying for MAIL_GIVE_UP_AFTER and a refused address bounced, and the workflow goes on', async () => {
    const smtp = await startTestSmtp({ refuse: (address) => address.startsWith('ben.') });
    const mailer = createMailer(smtp.url(), 'Tandem <tandem@test.example>');
    try {
      const t0 = await stack.env.currentTimeMs();
      const p = await createPartnershipRecord(db(), {
        firstReviewAt: new Date(t0 + 20 * DAY),
        reminderOffsets: ['P14D', 'P7D'],
        timeZone: 'UTC',
        plannedAt: t0,
      });
      const ben = p.partnerLead;
      const ana = p.districtLead;
      await (await stack.newWorker({ mailer, mailGiveUpAfterMs: 3000 })).runUntil(async () => {
        const handle = await startPartnership(p.id);
        // Ben's address is refused for good at once (550): bounced, never retried.
        await waitFor('the invitation to Ana', async () => smtp.received.length === 1);
        const bounced = await waitFor(
          'the bounce',
          async () => (await db().person.findUniqueOrThrow({ where: { id: ben.id } })).emailBouncedAt,
        );
        expect(bounced).toBeInstanceOf(Date);
        // The server is down at the first reminder: retried for 3 s, then failed; the workflow moves on.
        await smtp.stop();
        await stack.sleepUntil(t0 + 6 * DAY + MINUTE);
        await waitFor('the first reminder to fail', async () => (await handle.query(statusQuery)).sentReminders.length === 1);
        await smtp.start();
        await stack.sleepUntil(t0 + 13 * DAY + MINUTE);
        await waitFor('the second reminder', async () => (await handle.query(statusQuery)).sentReminders.length === 2);
        await handle.executeUpdate(endUpdate, { args: [{ outcome: 'completed' }] });
      });
      const rows = await rowsOf({ partnershipId: p.id });
      const of = (person: { id: string }, template: string) =>
        rows.filter((r) => r.personId === person.id && r.template === template).map((r) => [r.status, r.attempts]);
      expect(of(ben, 'review-invitation')).toEqual([['bounced', 1]]);
      expect(of(ana, 'review-reminder')).toEqual([
        ['failed', expect.any(Number)],
        ['sent', 1],
      ]);
      // Once refused, Ben's address is not tried again until it changes.
      expect(of(ben, 'review-reminder')).toEqual([
        ['bounced', 0],
        ['bounced', 0],
      ]);
      const failed = rows.find((r) => r.personId === ana.id && r.status === 'failed');
      expect(failed?.attempts).toBeGreaterThanOrEqual(2);
      expect(failed?.lastError).toMatch(/^gave up after \d+ attempts since .*ECONNREFUSED/);
      expect(rows.find((r) => r.personId === ben.id && r.template === 'review-invitation')?.lastError).toMatch(/550/);
      expect(smtp.received.flatMap((m) => m.envelopeTo)).not.toContain(ben.email);
    } finally {
      mailer.close();
      await smtp.stop();
    }
  });
});

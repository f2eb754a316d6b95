import { describe, expect, it } from 'vitest';
import { listCapturedMail } from '../../lib/mail/capture.js';
import { type ApiStack, useApiStack } from '../support/api-stack.js';
import { waitFor } from '../support/mailbox.js';

const stack: ApiStack = useApiStack('tandem-api-mail');
const soon = (ms: number) => new Date(Date.now() + ms).toISOString();

type Page<T> = { items: T[]; nextCursor: string | null };
interface OutboxItem {
  recipient: string;
  template: string;
  status: string;
  attempts: number;
}
interface MailSettings {
  email: string;
  timeZone: string | null;
  delivery: string;
  digestHour: number;
  quietHours: { from: string; until: string } | null;
  bounce: { at: string; reason: string } | null;
}

describe('mail through the API: the outbox, mail settings and unsubscribe links', () => {
  it('lists every copy, stops reminders through the link in one (and nothing else), and changes how a person receives mail', async () => {
    const admin = stack.adminKey;
    const created = await stack.createPartnership(
      'Lakeside literacy',
      [
        { name: 'Ana Diaz', email: 'ana@lakeside.example', role: 'district_lead' },
        { name: 'Ben Ode', email: 'ben@center.example', role: 'partner_lead' },
      ],
      // Due ten seconds from now.
      { firstReviewAt: soon(2 * 3_600_000), reminderOffsets: ['PT1H59M50S'] },
    );
    const p = (
      await stack.call<{ id: string; members: { personId: string; email: string }[] }>(admin, 'GET', `/partnerships/${created.id}`)
    ).json;
    const ana = p.members.find((m) => m.email === 'ana@lakeside.example')?.personId as string;
    const ben = p.members.find((m) => m.email === 'ben@center.example')?.personId as string;
    const outbox = async (query: string, key = admin) => {
      const res = await stack.call<Page<OutboxItem>>(key, 'GET', `/outbox?${query}`);
      expect(res.status, res.text).toBe(200);
      return res.json.items;
    };

    const reminders = await waitFor('the reminder to both members', async () => {
      const items = await outbox(`partnershipId=${p.id}&template=review-reminder`);
      return items.length === 2 && items.every((i) => i.status === 'sent') && items;
    });
    expect(reminders.map((i) => [i.recipient, i.attempts]).sort()).toEqual([
      ['ana@lakeside.example', 1],
      ['ben@center.example', 1],
    ]);
    const invitations = await outbox(`partnershipId=${p.id}&template=review-invitation&status=sent`);
    expect(invitations.map((i) => i.recipient).sort()).toEqual(['ana@lakeside.example', 'ben@center.example']);
    expect(await outbox('status=failed')).toEqual([]);

    // Another district's key sees none of it.
    const org = await stack.districtWithKey('Hillcrest USD', 'America/Denver');
    expect(await outbox(`partnershipId=${p.id}`, org.key)).toEqual([]);

    // The link in Ana's reminder: GET shows a button (mail scanners follow links), POST stops reminders.
    const mail = await listCapturedMail(stack.mailCaptureDir);
    const anaReminder = mail.find((m) => m.to.includes('ana@lakeside.example') && m.subject.startsWith('Reminder:'));
    const link = /Stop reminders from Lakeside literacy: (\S+)/.exec(anaReminder?.text ?? '')?.[1] as string;
    expect(link).toMatch(new RegExp(`^${stack.publicUrl}/unsubscribe/[0-9a-f-]{36}$`));
    const path = new URL(link).pathname;
    const page = await stack.call(null, 'GET', path);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).toContain(`<form method="post" action="${path}">`);
    expect(page.text).toContain('ana@lakeside.example');
    expect((await stack.database.db.partnershipMember.findFirstOrThrow({ where: { personId: ana } })).notifications).toBe('all');
    for (let i = 0; i < 2; i++) {
      const stopped = await stack.call(null, 'POST', path);
      expect(stopped.status).toBe(200);
      expect(stopped.text).toContain('no longer receives reminders from <strong>Lakeside literacy</strong>');
    }
    const members = await stack.database.db.partnershipMember.findMany({ where: { partnershipId: p.id }, orderBy: { role: 'asc' } });
    expect(members.map((m) => [m.personId, m.notifications])).toEqual([
      [ana, 'essential'],
      [ben, 'all'],
    ]);
    expect((await stack.call(null, 'GET', '/unsubscribe/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    // Invitations carry no unsubscribe link: they are not optional.
    const anaInvitation = mail.find((m) => m.to.includes('ana@lakeside.example') && m.subject.startsWith('Invitation:'));
    expect(anaInvitation?.text).not.toContain('/unsubscribe/');

    // Mail settings: validated field by field, applied, and shown with the person.
    const settings = (key: string | null, person: string, body: unknown) =>
      stack.call<MailSettings>(key, 'PATCH', `/people/${person}/mail-settings`, body);
    for (const [body, field] of [
      [{ timeZone: 'Mars/Olympus' }, 'timeZone'],
      [{ quietHours: { from: '21:00', until: '21:00' } }, 'quietHours.until'],
      [{ quietHours: { from: '9pm', until: '07:00' } }, 'quietHours.from'],
      [{ digestHour: 24 }, 'digestHour'],
      [{ delivery: 'weekly' }, 'delivery'],
    ] as const) {
      const res = await settings(admin, ben, body);
      expect([res.status, (res.json as unknown as { errors: { path: string }[] }).errors.map((e) => e.path)], res.text).toEqual([
        400,
        [field],
      ]);
    }
    const applied = await settings(admin, ben, {
      timeZone: 'Europe/Berlin',
      delivery: 'daily_digest',
      digestHour: 8,
      quietHours: { from: '22:00', until: '07:00' },
    });
    expect(applied.status, applied.text).toBe(200);
    expect(applied.json).toEqual({
      personId: ben,
      email: 'ben@center.example',
      timeZone: 'Europe/Berlin',
      delivery: 'daily_digest',
      digestHour: 8,
      quietHours: { from: '22:00', until: '07:00' },
      bounce: null,
    });
    const shown = await stack.call<{ mail: MailSettings }>(admin, 'GET', `/people/${ben}`);
    expect(shown.json.mail).toEqual(applied.json);
    expect((await settings(admin, ben, { quietHours: null, timeZone: null })).json).toMatchObject({ quietHours: null, timeZone: null });
    expect((await settings(admin, ben, { email: 'ana@lakeside.example' })).status).toBe(409);

    // A bounced address is shown, and a new address clears it.
    await stack.database.db.person.update({
      where: { id: ben },
      data: { emailBouncedAt: new Date(), emailBounce: '550 mailbox unavailable' },
    });
    expect((await stack.call<{ mail: MailSettings }>(admin, 'GET', `/people/${ben}`)).json.mail.bounce?.reason).toBe(
      '550 mailbox unavailable',
    );
    const moved = await settings(admin, ben, { email: 'Ben.Ode@Center.example' });
    expect([moved.status, moved.json.email, moved.json.bounce]).toEqual([200, 'ben.ode@center.example', null]);

    // A copy that bounced goes out again, when asked, to the address the person has now.
    const benCopy = await stack.database.db.emailOutbox.findFirstOrThrow({
      where: { partnershipId: p.id, personId: ben, template: 'review-reminder' },
    });
    const retry = (id: string) => stack.call<{ status: string; recipient: string }>(admin, 'POST', `/outbox/${id}/retry`);
    const refused = await retry(benCopy.id);
    expect([refused.status, refused.text]).toEqual([409, expect.stringContaining('this one is sent')]);
    await stack.database.db.emailOutbox.update({
      where: { id: benCopy.id },
      data: { status: 'bounced', lastError: '550 mailbox unavailable' },
    });
    const again = await retry(benCopy.id);
    expect([again.status, again.json.status, again.json.recipient]).toEqual([200, 'held', 'ben.ode@center.example']);
    const resent = await waitFor('the copy sent again', async () => {
      const row = await stack.database.db.emailOutbox.findUniqueOrThrow({ where: { id: benCopy.id } });
      return row.status === 'sent' && row;
    });
    expect([resent.attempts, resent.lastError]).toEqual([2, null]);
    const arrivedAgain = (await listCapturedMail(stack.mailCaptureDir)).filter(
      (m) => m.subject.startsWith('Reminder:') && m.to.includes('ben.ode@center.example'),
    );
    expect(arrivedAgain).toHaveLength(1);
  });
});

import { createRequire } from 'node:module';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { publicEventData, publicEventType, WEBHOOK_EVENT_TYPES } from '../../core/webhooks/events.js';
import { type DeliveryFacts, deliveryRequest, signingSecrets, slackPayload, teamsPayload } from '../../core/webhooks/payloads.js';
import { SIGNING_SECRET } from '../../core/webhooks/subscriptions.js';
import { createSealer } from '../../lib/auth/sealed.js';

// Microsoft's own Adaptive Cards library (its CommonJS build: the ES one does not load in Node).
const AC = createRequire(import.meta.url)('adaptivecards/dist/adaptivecards.js') as typeof import('adaptivecards');

const facts = (over: Partial<DeliveryFacts> = {}): DeliveryFacts => ({
  deliveryId: '6f1f0b9e-8a55-4d43-9d3e-0a4f2c3b9d10',
  type: 'commitment.overdue',
  eventType: 'commitment.overdue',
  eventData: { commitmentId: 'c0a80101-0000-4000-8000-000000000001' },
  eventId: 42n,
  occurredAt: new Date('2027-01-15T15:00:00Z'),
  partnership: { id: '3b0c1e52-61c3-4a3e-9f0c-2d0f5d1b7a11', name: 'Lakeside <literacy> & math', timeZone: 'America/Chicago' },
  subject: {
    kind: 'commitment',
    id: 'c0a80101-0000-4000-8000-000000000001',
    title: 'Share the walkthrough data <b>now</b>',
    dueAt: new Date('2027-01-14T23:00:00Z'),
  },
  actorName: null,
  ...over,
});

const secret = (n: number) => `whsec_${Buffer.from(`a secret of thirty-two bytes ${n}!!`).toString('base64')}`;

describe('webhook payloads', () => {
  it('signs a standard delivery with every secret that still signs, each verifiable alone by the standardwebhooks library', () => {
    const at = Date.now();
    // As stored: the current secret sealed, the previous one in clear (stored before sealing existed).
    const sealer = createSealer('an AUTH_SECRET of at least thirty-two characters');
    const open = (stored: string) => sealer.open(stored, SIGNING_SECRET);
    const sub = { secret: sealer.seal(secret(2), SIGNING_SECRET), previousSecret: secret(1), previousSecretUntil: new Date(at + 3600_000) };
    const req = deliveryRequest('standard', facts(), { publicUrl: 'https://tandem.example', at, secrets: signingSecrets(sub, at, open) });
    expect(req.headers['webhook-id']).toBe('msg_6f1f0b9e-8a55-4d43-9d3e-0a4f2c3b9d10');
    expect(req.headers['webhook-signature']?.split(' ')).toHaveLength(2);
    // A receiver that has not switched yet, and one that has, both verify it; a stranger does not.
    for (const s of [secret(1), secret(2)])
      expect(new Webhook(s).verify(req.body, req.headers)).toMatchObject({ type: 'commitment.overdue' });
    expect(() => new Webhook(secret(3)).verify(req.body, req.headers)).toThrow();
    // Once the previous secret's day is over, only the new one signs.
    expect(signingSecrets(sub, at + 2 * 3600_000, open)).toEqual([secret(2)]);
    const body = JSON.parse(req.body);
    expect(body).toEqual({
      type: 'commitment.overdue',
      timestamp: '2027-01-15T15:00:00.000Z',
      data: {
        eventId: '42',
        partnership: { id: '3b0c1e52-61c3-4a3e-9f0c-2d0f5d1b7a11', name: 'Lakeside <literacy> & math' },
        subject: {
          kind: 'commitment',
          id: 'c0a80101-0000-4000-8000-000000000001',
          title: 'Share the walkthrough data <b>now</b>',
          dueAt: '2027-01-14T23:00:00.000Z',
        },
        commitmentId: 'c0a80101-0000-4000-8000-000000000001',
        link: 'https://tandem.example/p/3b0c1e52-61c3-4a3e-9f0c-2d0f5d1b7a11/commitments/c0a80101-0000-4000-8000-000000000001',
      },
    });
  });

  it("writes a Slack incoming webhook's message: text, a header, a section and a button, escaped as Slack's mrkdwn wants", () => {
    const m = slackPayload(facts(), 'https://tandem.example');
    expect(m.text).toBe(
      'Commitment "Share the walkthrough data &lt;b&gt;now&lt;/b&gt;" in Lakeside &lt;literacy&gt; &amp; math is overdue (due Thursday, January 14, 2027 at 5:00 PM CST (America/Chicago)).',
    );
    expect(m.blocks.map((b) => b.type)).toEqual(['header', 'section', 'actions']);
    const [header, section, actions] = m.blocks as unknown as [
      { text: { type: string; text: string } },
      { text: { type: string; text: string } },
      { elements: { type: string; url: string; text: { type: string } }[] },
    ];
    // Slack's limits: a header's plain text up to 150 characters, a section's up to 3,000.
    expect(header.text.type).toBe('plain_text');
    expect(header.text.text.length).toBeLessThanOrEqual(150);
    expect(section.text).toEqual({ type: 'mrkdwn', text: m.text });
    expect(actions.elements[0]).toMatchObject({
      type: 'button',
      text: { type: 'plain_text' },
      url: expect.stringMatching(/^https:\/\/tandem\.example\/p\//),
    });
    const long = slackPayload(
      facts({
        partnership: { ...facts().partnership, name: 'x'.repeat(400) },
        subject: { kind: 'commitment', id: 'c1', title: 'y'.repeat(4000), dueAt: null },
      }),
      'https://t.example',
    );
    expect((long.blocks[0] as { text: { text: string } }).text.text.length).toBeLessThanOrEqual(150);
    expect((long.blocks[1] as { text: { text: string } }).text.text.length).toBeLessThanOrEqual(3000);
  });

  it("writes a Teams workflow webhook's message: one Adaptive Card that Microsoft's library reads without a complaint", () => {
    for (const type of WEBHOOK_EVENT_TYPES) {
      const m = teamsPayload(facts({ type, actorName: 'Ana Diaz' }), 'https://tandem.example');
      expect(m.type).toBe('message');
      expect(m.attachments).toHaveLength(1);
      const [attachment] = m.attachments;
      expect(attachment?.contentType).toBe('application/vnd.microsoft.card.adaptive');
      const card = new AC.AdaptiveCard();
      const context = new AC.SerializationContext();
      card.parse(attachment?.content, context);
      const complaints = Array.from({ length: context.eventCount }, (_, i) => context.getEventAt(i).message);
      expect(complaints, type).toEqual([]);
      expect(card.version?.toString()).toBe('1.4');
      expect(card.getActionAt(0)).toBeInstanceOf(AC.OpenUrlAction);
      expect((card.getActionAt(0) as InstanceType<typeof AC.OpenUrlAction>).url).toMatch(/^https:\/\/tandem\.example\/p\//);
    }
  });

  it("maps the timeline's events to the public ones, once each, and lets out only ids, times and counts", () => {
    expect(publicEventType('commitment.overdue', { commitmentId: 'x' })).toBe('commitment.overdue');
    // The notice that follows the status change names its recipients: it is not a second event.
    expect(publicEventType('commitment.overdue', { commitmentId: 'x', recipients: ['a@b.example'] })).toBeNull();
    expect(publicEventType('commitment.escalation_sponsor', {})).toBe('commitment.escalated');
    expect(publicEventType('review.reminder_sent', {})).toBeNull();
    expect(publicEventType('partnership.active', {})).toBe('partnership.resumed');
    expect(
      publicEventData('commitment.escalation_sponsor', { commitmentId: 'x', recipients: ['a@b.example'], note: 'private', reason: 'r' }),
    ).toEqual({
      commitmentId: 'x',
      escalatedTo: 'sponsor',
    });
  });
});

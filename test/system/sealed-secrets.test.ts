import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resealStoredSecrets } from '../../boot/sealed-secrets.js';
import { CLIENT_SECRET, syncProviders } from '../../core/people/identity-providers.js';
import { SIGNING_SECRET, WEBHOOK_ADDRESS } from '../../core/webhooks/subscriptions.js';
import { createSealer } from '../../lib/auth/sealed.js';
import { testAuth } from '../support/auth.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const NOW = 'an AUTH_SECRET of at least thirty-two characters, now';
const BEFORE = 'an AUTH_SECRET of at least thirty-two characters, before';
const LOST = 'an AUTH_SECRET of at least thirty-two characters, lost';

/**
 * What a start does to the secrets stored before sealing, or sealed with the AUTH_SECRET before a
 * rotation: each is sealed with the current one, once, even when replicas start together; one that
 * no key opens stays as it is and is named in the log.
 */
describe('sealing the stored secrets at a start', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database?.drop());

  it('seals clear and previously sealed secrets with the current AUTH_SECRET, once, and leaves what it cannot open', async () => {
    const db = database.db;
    const org = await db.organization.create({ data: { kind: 'district', name: 'Lakeside USD', timeZone: 'America/Chicago' } });
    const hook = (secret: string | null, previousSecret: string | null) =>
      db.webhookSubscription.create({
        data: {
          organizationId: org.id,
          url: 'https://hooks.example/x',
          format: 'standard',
          events: [],
          secret,
          previousSecret,
          createdByName: 'test',
        },
      });
    const clear = await hook('whsec_clear', 'whsec_clear_before');
    const rotated = await hook(createSealer(BEFORE).seal('whsec_rotated', SIGNING_SECRET), null);
    const lost = await hook(createSealer(LOST).seal('whsec_lost', SIGNING_SECRET), null);
    const slack = await hook(null, null);
    // A Slack address, the channel's credential, written in clear before addresses were sealed.
    const address = 'https://hooks.slack.com/services/T1/B1/clearSecret1234';
    const slackAddress = await db.webhookSubscription.create({
      data: { organizationId: org.id, url: address, format: 'slack', events: [], createdByName: 'test' },
    });
    const provider = await db.identityProvider.create({
      data: {
        organizationId: org.id,
        slug: 'org-1',
        name: 'Lakeside',
        issuer: 'https://idp.example',
        clientId: 'tandem',
        clientSecret: 'client-secret',
        domains: ['lakeside.example'],
      },
    });

    const lines: { msg: string; webhook?: string; count?: number }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const sealer = createSealer(NOW, BEFORE);
    // Two replicas starting at once.
    await Promise.all([resealStoredSecrets(db, sealer, logger), resealStoredSecrets(db, sealer, logger)]);

    const now = createSealer(NOW);
    const row = (id: string) => db.webhookSubscription.findUniqueOrThrow({ where: { id } });
    const c = await row(clear.id);
    expect([now.open(c.secret ?? '', SIGNING_SECRET), now.open(c.previousSecret ?? '', SIGNING_SECRET)]).toEqual([
      'whsec_clear',
      'whsec_clear_before',
    ]);
    expect(now.open((await row(rotated.id)).secret ?? '', SIGNING_SECRET)).toBe('whsec_rotated');
    const p = await db.identityProvider.findUniqueOrThrow({ where: { id: provider.id } });
    expect(p.clientSecret).not.toContain('client-secret');
    expect(now.open(p.clientSecret, CLIENT_SECRET)).toBe('client-secret');
    expect(await row(slack.id)).toMatchObject({ secret: null, previousSecret: null });
    const sealedAddress = await row(slackAddress.id);
    expect(sealedAddress.url).not.toContain('clearSecret');
    expect(now.open(sealedAddress.url, WEBHOOK_ADDRESS)).toBe(address);
    expect(sealedAddress.urlHint).toBe('https://hooks.slack.com/…1234');
    // The one no key of this process opens: as it was, and said.
    expect((await row(lost.id)).secret).toBe(lost.secret);
    expect(lines.filter((l) => l.webhook === lost.id).map((l) => l.msg)).toEqual([
      `the webhook.secret of webhook ${lost.id} could not be sealed again`,
      `the webhook.secret of webhook ${lost.id} could not be sealed again`,
    ]);
    // Each row sealed once between the two: four rows, counted once each.
    const counted = lines.filter((l) => l.msg === 'sealed stored secrets with the current AUTH_SECRET').map((l) => l.count ?? 0);
    expect(counted.reduce((a, b) => a + b, 0)).toBe(4);

    // A start after it changes nothing.
    const before = await db.webhookSubscription.findMany({ orderBy: { id: 'asc' } });
    await resealStoredSecrets(db, now, logger);
    expect(await db.webhookSubscription.findMany({ orderBy: { id: 'asc' } })).toEqual(before);
  });

  it('signs in through the providers whose client secret opens, and leaves out, and names, one that does not', async () => {
    const db = database.db;
    const org = await db.organization.create({ data: { kind: 'district', name: 'Hillcrest USD', timeZone: 'America/Denver' } });
    const provider = (slug: string, clientSecret: string, domain: string) =>
      db.identityProvider.create({
        data: {
          organizationId: org.id,
          slug,
          name: slug,
          issuer: `https://${slug}.example`,
          clientId: 'tandem',
          clientSecret,
          domains: [domain],
          approvedAt: new Date(),
        },
      });
    await provider('org-opens', createSealer(NOW).seal('the-secret-that-opens', CLIENT_SECRET), 'opens.example');
    const lost = await provider('org-lost', createSealer(LOST).seal('the-secret-that-is-lost', CLIENT_SECRET), 'lost.example');
    const lines: { msg: string; identityProvider?: string }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const auth = testAuth(db);
    await syncProviders({ db, auth, sealer: createSealer(NOW), logger });
    const ours = auth.providers().filter((p) => p.providerId.startsWith('org-'));
    expect(ours.map((p) => [p.providerId, p.clientSecret])).toEqual([['org-opens', 'the-secret-that-opens']]);
    expect(lines.filter((l) => l.identityProvider === lost.id).map((l) => l.msg)).toEqual([
      'sign-in provider org-lost is left out: its client secret does not open',
    ]);
  });
});

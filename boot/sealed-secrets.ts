import { CLIENT_SECRET } from '../core/people/identity-providers.js';
import { addressHint, SIGNING_SECRET, WEBHOOK_ADDRESS } from '../core/webhooks/subscriptions.js';
import { resealed, type Sealer } from '../lib/auth/sealed.js';
import type { Db } from '../lib/db/client.js';
import type { Logger } from '../lib/logger.js';

/**
 * At every start of the API and the worker: the secrets (and Slack and Teams addresses) stored in clear (written before sealing) or
 * sealed with AUTH_SECRET_PREVIOUS are sealed with AUTH_SECRET. Each row's update is guarded by the
 * values read, so replicas starting together seal each once. A value no key of this process opens is
 * left as it is and named in the log (it fails where it is used, as before the start).
 */
export async function resealStoredSecrets(db: Db, sealer: Sealer, logger: Logger): Promise<void> {
  const webhooks = await db.webhookSubscription.findMany({
    where: { OR: [{ secret: { not: null } }, { previousSecret: { not: null } }] },
    select: { id: true, secret: true, previousSecret: true },
  });
  // A Slack or Teams address is the channel's credential (core/webhooks/subscriptions.ts).
  const addresses = await db.webhookSubscription.findMany({
    where: { format: { not: 'standard' } },
    select: { id: true, url: true, urlHint: true },
  });
  const providers = await db.identityProvider.findMany({ select: { id: true, clientSecret: true } });
  let count = 0;
  const reseal = async <T extends Record<string, string | null>>(
    what: string,
    id: string,
    purpose: string,
    stored: T,
    update: (data: T) => Promise<{ count: number }>,
  ) => {
    try {
      const data = resealed(sealer, purpose, stored);
      if (data) count += (await update(data)).count;
    } catch (err) {
      logger.error({ err, [what]: id }, `the ${purpose} of ${what} ${id} could not be sealed again`);
    }
  };
  for (const { id, ...stored } of webhooks) {
    await reseal('webhook', id, SIGNING_SECRET, stored, (data) => db.webhookSubscription.updateMany({ where: { id, ...stored }, data }));
  }
  for (const { id, url, urlHint } of addresses) {
    await reseal('webhook', id, WEBHOOK_ADDRESS, { url }, (data) =>
      db.webhookSubscription.updateMany({
        where: { id, url },
        // Its hint from the address in clear, the first time; the address itself is what it was.
        data: { ...data, urlHint: urlHint ?? addressHint(sealer.open(url, WEBHOOK_ADDRESS)) },
      }),
    );
  }
  for (const { id, ...stored } of providers) {
    await reseal('identityProvider', id, CLIENT_SECRET, stored, (data) =>
      db.identityProvider.updateMany({ where: { id, ...stored }, data }),
    );
  }
  if (count) logger.info({ count }, 'sealed stored secrets with the current AUTH_SECRET');
}

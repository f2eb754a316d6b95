import { describe, expect, it } from 'vitest';
import { listCapturedMail } from '../../lib/mail/capture.js';
import { threeMembers, useApiStack } from '../support/api-stack.js';
import { openForm, submitForm } from '../support/forms.js';
import { waitFor } from '../support/mailbox.js';

/**
 * Two API processes on one database and one Temporal server, as behind a load balancer: requests go to
 * one and the other in turn, and what one replica counted or recorded holds on the other.
 */
describe('two API replicas', () => {
  const stack = useApiStack('tandem-replicas');

  it('holds the sign-in limits across them: five links an address, twenty requests an address, counted once for both', async () => {
    const replica = await stack.replica();
    const bases = [stack.baseUrl, replica.baseUrl];
    await stack.createPartnership('Replica literacy', threeMembers('replica.example'));
    const form = await openForm(`${stack.baseUrl}/sign-in`, '/sign-in');
    let n = 0;
    const ask = async (address: string) =>
      (await submitForm(`${bases[n++ % 2]}/sign-in`, form, { _submission: crypto.randomUUID(), email: address })).status;
    const links = async () =>
      (await listCapturedMail(stack.mailCaptureDir)).filter(
        (m) => m.envelopeTo.includes('ana@replica.example') && /sign-in link/.test(m.subject),
      ).length;
    for (let i = 0; i < 7; i++) expect(await ask('ana@replica.example'), `request ${i + 1}`).toBe(200);
    await waitFor('five links', async () => (await links()) >= 5);
    await new Promise((r) => setTimeout(r, 1500));
    // Each replica alone would have sent all seven (four and three).
    expect(await links()).toBe(5);
    // Twenty requests from this address in all (seven so far), then the next is refused, on whichever replica.
    for (let i = 0; i < 13; i++) expect(await ask(`hop${i}@replica.example`), `request ${8 + i}`).toBe(200);
    expect(await ask('hop-last@replica.example')).toBe(429);
    expect(await ask('hop-last@replica.example')).toBe(429);
  });

  it('replays an Idempotency-Key on the other replica, and acts once', async () => {
    const replica = await stack.replica();
    const p = await stack.createPartnership('Replica math', threeMembers('replica-math.example'));
    const body = {
      ownerEmail: 'ana@replica-math.example',
      side: 'district',
      description: 'Share the plan',
      dueAt: new Date(Date.now() + 20 * 86_400_000).toISOString(),
    };
    const post = (base: string) =>
      fetch(`${base}/partnerships/${p.id}/commitments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.adminKey}`, 'content-type': 'application/json', 'idempotency-key': 'replica-1' },
        body: JSON.stringify(body),
      });
    const first = await post(stack.baseUrl);
    const again = await post(replica.baseUrl);
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(await again.json()).toEqual(await first.json());
    expect(await stack.database.db.commitment.count({ where: { partnershipId: p.id } })).toBe(1);
  });
});

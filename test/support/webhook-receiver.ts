import { mkdtemp, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { createPoster, type Post } from '../../lib/webhooks/post.js';
import { makeCertificates } from './certificates.js';

export interface Received {
  /** The webhook-id header (standard deliveries), or null. */
  id: string | null;
  /** The path it was posted to. */
  path: string;
  headers: Record<string, string>;
  body: string;
  /** What the receiver answered. */
  answered: number | 'nothing';
  /** Whether the signature verified with one of the receiver's secrets (standard deliveries). */
  verified: boolean | null;
}

/**
 * A subscriber's HTTPS endpoint, in-process: a certificate of a CA made for it (./certificates.ts), every request kept, each verified with the `standardwebhooks`
 * library against the secrets it is told. `answer` decides what it does next: a status, or nothing
 * at all (the connection is held open, as by a receiver that hangs).
 */
export async function startWebhookReceiver() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tandem-webhooks-'));
  await makeCertificates(dir, { server: 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth' });
  const ca = await readFile(path.join(dir, 'ca.pem'), 'utf8');
  const received: Received[] = [];
  const held = new Set<import('node:http').ServerResponse>();
  const receiver = {
    received,
    /** What the next request gets: a status, or 'nothing'. */
    answer: (): number | 'nothing' => 200,
    /** The secrets signatures are checked against. */
    secrets: [] as string[],
    url: '',
    ca,
    /** A poster for Tandem's worker that trusts this receiver's CA and may reach loopback. */
    poster: (timeoutMs = 1000): Post => createPoster({ timeoutMs, allowPrivateAddresses: true, ca }),
    /** The deliveries it accepted (2xx), in the order they came. */
    accepted: () => received.filter((r) => typeof r.answered === 'number' && r.answered < 300),
    async stop() {
      for (const res of held) res.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await rm(dir, { recursive: true, force: true });
    },
  };
  const server = https.createServer(
    { key: await readFile(path.join(dir, 'server.key')), cert: await readFile(path.join(dir, 'server.pem')) },
    (req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => {
        body += c;
      });
      req.on('end', () => {
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
        const verified = headers['webhook-signature']
          ? receiver.secrets.some((s) => {
              try {
                new Webhook(s).verify(body, headers);
                return true;
              } catch {
                return false;
              }
            })
          : null;
        const answered = receiver.answer();
        received.push({ id: headers['webhook-id'] ?? null, path: req.url ?? '', headers, body, answered, verified });
        if (answered === 'nothing') {
          held.add(res);
          return;
        }
        res.writeHead(answered, { 'content-type': 'text/plain' }).end(answered < 300 ? 'ok' : 'receiver is down');
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/tandem`;
  return receiver;
}

export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;

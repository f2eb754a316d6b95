import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InboundEnvelope, startInboundSmtp } from '../../lib/mail/inbound.js';

/**
 * Tandem's SMTP listener for replies, with a real SMTP client: it offers STARTTLS with the configured
 * certificate, takes mail for the reply domain only (never an open relay), hands each message over
 * with its envelope, and answers a failure to take it with a temporary refusal, so the sender retries.
 */
let dir: string;
let tls: { cert: Buffer; key: Buffer };
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tandem-inbound-'));
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '2', '-subj', '/CN=localhost'],
    { cwd: dir, stdio: 'pipe' },
  );
  tls = { cert: await readFile(path.join(dir, 'cert.pem')), key: await readFile(path.join(dir, 'key.pem')) };
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const client = (port: number) =>
  nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, requireTLS: true, tls: { rejectUnauthorized: false } });

describe('the reply listener', () => {
  it('takes mail for the reply domain over STARTTLS, refuses relaying, and asks for a retry when it cannot take a message', async () => {
    const taken: { raw: string; envelope: InboundEnvelope }[] = [];
    let failNext = false;
    const listener = await startInboundSmtp({
      port: 0,
      host: '127.0.0.1',
      domain: 'Reply.Tandem.Test',
      tls,
      onMessage: async (raw, envelope) => {
        if (failNext) {
          failNext = false;
          throw new Error('the database is down');
        }
        taken.push({ raw: raw.toString(), envelope });
      },
    });
    try {
      const mail = { from: 'ana@lakeside.example', subject: 'Re: Overdue', text: 'done' };
      // requireTLS: the message is refused by the client unless STARTTLS succeeded.
      await client(listener.port).sendMail({ ...mail, to: 'reply+abcdefghijklmnopqrstuvwxyz@reply.tandem.test' });
      expect(taken).toHaveLength(1);
      expect(taken[0]?.envelope).toMatchObject({
        ip: '127.0.0.1',
        mailFrom: 'ana@lakeside.example',
        rcptTo: ['reply+abcdefghijklmnopqrstuvwxyz@reply.tandem.test'],
      });
      expect(taken[0]?.raw).toContain('Subject: Re: Overdue');

      await expect(client(listener.port).sendMail({ ...mail, to: 'someone@elsewhere.example' })).rejects.toMatchObject({
        responseCode: 550,
      });
      failNext = true;
      await expect(client(listener.port).sendMail({ ...mail, to: 'reply+x@reply.tandem.test' })).rejects.toMatchObject({
        responseCode: 451,
      });
      expect(taken).toHaveLength(1);
    } finally {
      await listener.stop();
    }
  });
});

import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server in-process that keeps every message it receives as an .eml file, so the
 * embedded default (and the tests) can show exactly what would have been delivered.
 */
export interface MailCapture {
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

export interface CapturedMail {
  id: string;
  receivedAt: string;
  envelopeTo: string[];
  /** The envelope sender (MAIL FROM), where bounces go. */
  envelopeFrom: string;
  from: string;
  to: string[];
  subject: string;
  messageId: string | undefined;
  text: string;
  html: string | undefined;
  /** The iCalendar invitation (text/calendar part), when the message carries one. */
  calendar: string | undefined;
  attachments: { filename: string | undefined; contentType: string; size: number }[];
}

export async function startMailCapture(opts: { dir: string; port: number; host?: string }): Promise<MailCapture> {
  await mkdir(opts.dir, { recursive: true });
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    banner: 'Tandem mail capture',
    // Clients are local; a reverse DNS lookup per connection would only slow each one down.
    disableReverseLookup: true,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        // ISO time first so that a directory listing is in arrival order.
        const name = `${new Date().toISOString().replace(/[:.]/g, '-')}_${randomUUID()}`;
        const envelope = session.envelope.rcptTo.map((r) => r.address);
        const file = path.join(opts.dir, `${name}.eml`);
        const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const head = `X-Envelope-From: ${mailFrom}\r\nX-Envelope-To: ${envelope.join(', ')}\r\n`;
        writeFile(`${file}.tmp`, Buffer.concat([Buffer.from(head), ...chunks]))
          .then(() => rename(`${file}.tmp`, file))
          .then(() => callback(), callback);
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  // A client that goes away mid-conversation (a worker killed while sending) resets its connection,
  // which smtp-server reports on the server: without a listener that error would end the process.
  // Nothing is lost: a message is kept only once its data was accepted, and the sender tries again.
  server.on('error', () => {});
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}?tls=off`,
    port,
    dir: opts.dir,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const addresses = (a: unknown): string[] => {
  const list = Array.isArray(a) ? a : a ? [a] : [];
  return list.flatMap((x: { value: { address?: string }[] }) => x.value.map((v) => v.address ?? '')).filter(Boolean);
};

/** Captured messages, oldest first. */
export async function listCapturedMail(dir: string): Promise<CapturedMail[]> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.eml')).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return Promise.all(
    files.map(async (f) => {
      const parsed = await simpleParser(await readFile(path.join(dir, f)));
      const envelope = String(parsed.headers.get('x-envelope-to') ?? '');
      return {
        id: f.replace(/\.eml$/, ''),
        receivedAt: f.slice(0, 24).replace(/^(\d{4}-\d\d-\d\d)T(\d\d)-(\d\d)-(\d\d)-(\d{3})Z$/, '$1T$2:$3:$4.$5Z'),
        envelopeTo: envelope ? envelope.split(', ') : [],
        envelopeFrom: String(parsed.headers.get('x-envelope-from') ?? ''),
        from: addresses(parsed.from)[0] ?? '',
        to: addresses(parsed.to),
        subject: parsed.subject ?? '',
        messageId: parsed.messageId,
        text: parsed.text ?? '',
        html: typeof parsed.html === 'string' ? parsed.html : undefined,
        calendar: parsed.attachments.find((a) => a.contentType === 'text/calendar')?.content.toString('utf8'),
        attachments: parsed.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.size })),
      };
    }),
  );
}

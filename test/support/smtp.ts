import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server in-process that can be taken down and brought back on the same port, and that
 * refuses chosen recipients for good (550), the way a receiving server refuses an unknown mailbox.
 */
export async function startTestSmtp(
  opts: {
    refuse?: (address: string) => boolean;
    /** Runs once a message has arrived, before the server answers that it accepted it. */
    beforeAccepting?: () => Promise<void>;
  } = {},
) {
  const received: { envelopeTo: string[]; mail: ParsedMail }[] = [];
  let port = 0;
  let server: SMTPServer | null = null;
  const start = async () => {
    const s = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      // Going down drops pooled client connections at once, as a crashed server would.
      closeTimeout: 200,
      onRcptTo(address, _session, callback) {
        if (opts.refuse?.(address.address)) {
          callback(Object.assign(new Error(`5.1.1 <${address.address}>: mailbox unavailable`), { responseCode: 550 }));
          return;
        }
        callback();
      },
      onData(stream, session, callback) {
        simpleParser(stream)
          .then(async (mail) => {
            received.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address), mail });
            await opts.beforeAccepting?.();
          })
          .then(
            () => callback(),
            (e: Error) => callback(e),
          );
      },
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
    // A client's reset connection is reported on the server (see lib/mail/capture.ts).
    s.on('error', () => {});
    port = (s.server.address() as AddressInfo).port;
    server = s;
  };
  await start();
  return {
    url: () => `smtp://127.0.0.1:${port}?tls=off`,
    received,
    start,
    async stop() {
      const s = server;
      server = null;
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
}

import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * Tandem's own SMTP listener for replies: the MX (or relay) of MAIL_REPLY_DOMAIN hands it mail for
 * addresses of that domain only (anything else is refused, so it is never an open relay). Each
 * message is handed whole to `onMessage` with its envelope; a failure there is a temporary refusal
 * (451), so the sending server tries again later.
 */
export interface InboundEnvelope {
  ip: string;
  helo: string;
  mailFrom: string;
  rcptTo: string[];
}

export interface InboundListener {
  port: number;
  stop(): Promise<void>;
}

/** A reply with its attachments fits; a larger message is refused before it is read (SMTP SIZE). */
export const INBOUND_MAX_BYTES = 25 * 1024 * 1024;

export async function startInboundSmtp(opts: {
  port: number;
  host?: string;
  domain: string;
  /** A certificate and key (PEM) to offer STARTTLS with, as mail servers on the Internet expect. */
  tls?: { cert: Buffer; key: Buffer } | undefined;
  onMessage(raw: Buffer, envelope: InboundEnvelope): Promise<void>;
}): Promise<InboundListener> {
  const suffix = `@${opts.domain.toLowerCase()}`;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: opts.tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    ...(opts.tls && { cert: opts.tls.cert, key: opts.tls.key }),
    logger: false,
    banner: 'Tandem replies',
    size: INBOUND_MAX_BYTES,
    disableReverseLookup: true,
    onRcptTo(address, _session, callback) {
      if (!address.address.toLowerCase().endsWith(suffix)) {
        callback(Object.assign(new Error(`5.7.1 <${address.address}>: relay not permitted`), { responseCode: 550 }));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
          callback(Object.assign(new Error('5.3.4 message too big'), { responseCode: 552 }));
          return;
        }
        const envelope: InboundEnvelope = {
          ip: session.remoteAddress,
          helo: session.hostNameAppearsAs,
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
        };
        opts.onMessage(Buffer.concat(chunks), envelope).then(
          () => callback(),
          () => callback(Object.assign(new Error('4.3.0 could not take the message now; try again later'), { responseCode: 451 })),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => resolve());
  });
  return {
    port: (server.server.address() as AddressInfo).port,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

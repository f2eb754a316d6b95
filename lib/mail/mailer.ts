import nodemailer from 'nodemailer';
import pLimit from 'p-limit';
import { MAILER_CONNECTIONS } from '../config.js';
import { inSpan } from '../tracing.js';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Stable per logical message, so a receiving side can recognise a resend. */
  messageId: string;
  headers?: Record<string, string>;
  /** Where a reply goes, when not to the sender (a copy's own reply address). */
  replyTo?: string;
  /** The envelope sender (Return-Path), where bounces go, when not the From: a copy's own bounce address. */
  bounceTo?: string;
  /** An iCalendar invitation, sent as the text/calendar part calendar apps act on. */
  calendar?: { method: 'REQUEST' | 'CANCEL'; content: string };
}

export interface Mailer {
  /** The address mail comes from, also the organizer of invitations. */
  readonly from: { name: string; address: string };
  /** How many copies it sends at once: its SMTP connections. */
  readonly connections: number;
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
  /**
   * Runs `fn` once one of the pool's connections is free, at most `connections` at a time in the
   * process: a copy claimed for sending inside it goes out at once instead of waiting its turn, so a
   * process that dies leaves in doubt only the copies it was actually handing to the SMTP server.
   */
  whenFree<T>(fn: () => Promise<T>): Promise<T>;
  verify(): Promise<void>;
  close(): void;
}

/** "Tandem <tandem@example.org>" or a bare address. */
export function parseFrom(from: string): { name: string; address: string } {
  const m = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/.exec(from);
  return m ? { name: m[1] || 'Tandem', address: m[2] as string } : { name: 'Tandem', address: from.trim() };
}

/**
 * The one way Tandem sends mail: SMTP from SMTP_URL, over a pool of connections that stay open
 * between messages (`pool: false` exists for the benchmark that measures what pooling is worth).
 */
export function createMailer(smtpUrl: string, from: string, opts: { pool?: boolean; connections?: number } = {}): Mailer {
  const url = new URL(smtpUrl);
  const connections = opts.connections ?? MAILER_CONNECTIONS;
  const transport = nodemailer.createTransport({
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 587)),
    secure: url.protocol === 'smtps:',
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    pool: opts.pool ?? true,
    maxConnections: connections,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    // Local capture servers speak plain SMTP; STARTTLS is still used whenever a server offers it.
    ignoreTLS: url.searchParams.get('tls') === 'off',
  });
  const free = pLimit(connections);
  return {
    from: parseFrom(from),
    connections,
    whenFree: (fn) => free(fn),
    send: ({ calendar, bounceTo, ...mail }) =>
      // The span names the copy by its Message-ID, never by its address.
      inSpan('smtp send', { 'smtp.message_id': mail.messageId }, async () => {
        const info = await transport.sendMail({
          from,
          ...mail,
          ...(bounceTo && { envelope: { from: bounceTo, to: mail.to } }),
          ...(calendar && { icalEvent: { method: calendar.method, content: calendar.content, filename: 'invite.ics' } }),
        });
        return { messageId: info.messageId };
      }),
    async verify() {
      await transport.verify();
    },
    close: () => transport.close(),
  };
}

import type { DNSResolver } from 'mailauth';
import type { CoreDeps } from '../deps.js';
import type { MailDeps } from '../mail/send.js';
import type { TaskLinkSettings } from '../people/task-links.js';

/** What receiving replies works with (./receive.ts, ./attendance.ts). */
export interface ReplyDeps extends CoreDeps, MailDeps {
  /** MAIL_REPLY_DOMAIN. */
  replyDomain: string;
  taskLinks: Omit<TaskLinkSettings, 'publicUrl'>;
  /** DNS for SPF, DKIM and DMARC; the system's resolver unless given (tests give their own zone). */
  resolver?: DNSResolver | undefined;
}

/** How the message reached Tandem: the SMTP session (the HTTP endpoint knows only what the message says). */
export interface Envelope {
  /** The connecting server's address and greeting, for SPF; without them, the newest Received header is read. */
  ip?: string | undefined;
  helo?: string | undefined;
  mailFrom?: string | undefined;
  rcptTo: string[];
}

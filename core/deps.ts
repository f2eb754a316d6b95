import type { Client } from '@temporalio/client';
import type { Sealer } from '../lib/auth/sealed.js';
import type { Db } from '../lib/db/client.js';
import type { Logger } from '../lib/logger.js';
import type { MailDeps } from './mail/send.js';

/** What the domain's commands work with: the record, the workflows, the log. */
export interface CoreDeps {
  db: Db;
  temporal: Client;
  logger: Logger;
  /** The task queue the workflows a command starts run on. */
  taskQueue: string;
}

/**
 * What a request works with, the API's and the pages' alike: the commands' clients, mail sent at once
 * (a sign-in link, an address to confirm, a staff role granted), and the stored secrets.
 */
export interface RequestDeps extends CoreDeps, MailDeps {
  /** Seals and opens the secrets Tandem stores to use again (AUTH_SECRET, lib/auth/sealed.ts). */
  sealer: Sealer;
  /** Set when mail is captured locally (the embedded default): GET /mail and the /mail page show it. */
  mailCaptureDir?: string | undefined;
}

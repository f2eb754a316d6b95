import type { Db } from '../lib/db/client.js';
import type { Mailer } from '../lib/mail/mailer.js';

export interface ActivityDeps {
  db: Db;
  mailer: Mailer;
  publicUrl: string;
}

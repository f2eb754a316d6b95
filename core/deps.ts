import type { Client } from '@temporalio/client';
import type { Db } from '../lib/db/client.js';
import type { Logger } from '../lib/logger.js';

/** What the domain's commands work with: the record, the workflows, the log. */
export interface CoreDeps {
  db: Db;
  temporal: Client;
  logger: Logger;
  /** The task queue the workflows a command starts run on. */
  taskQueue: string;
}

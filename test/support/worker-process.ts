// A Tandem worker in a process of its own, so that a test can kill it outright (SIGKILL).
// Env: DATABASE_URL, TEMPORAL_ADDRESS, SMTP_URL, TEMPORAL_TASK_QUEUE. Prints "ready" when polling.
import { NativeConnection } from '@temporalio/worker';
import { createDb } from '../../lib/db/client.js';
import { createLogger } from '../../lib/logger.js';
import { createMailer } from '../../lib/mail/mailer.js';
import { installTemporalRuntime } from '../../lib/temporal/runtime.js';
import { createWorker } from '../../lib/temporal/worker.js';

const env = (name: string) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
};
installTemporalRuntime(createLogger('warn', 'test-worker'));
const worker = await createWorker({
  connection: await NativeConnection.connect({ address: env('TEMPORAL_ADDRESS') }),
  namespace: 'default',
  taskQueue: env('TEMPORAL_TASK_QUEUE'),
  deps: {
    db: createDb(env('DATABASE_URL')),
    mailer: createMailer(env('SMTP_URL'), 'Tandem <tandem@test.example>'),
    publicUrl: 'http://tandem.test',
  },
});
const running = worker.run();
console.log('ready');
await running;

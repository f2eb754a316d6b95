// A stand-in for a host's SMTP relay: the local mail capture in a process of its own, so that the
// system measured does not pay for receiving its own mail on its own thread (a hosted Tandem sends
// to a relay elsewhere). Started by bench/system.ts with BENCH_MAIL=relay; prints its URL once it listens.
import { startMailCapture } from '../lib/mail/capture.js';

const [dir] = process.argv.slice(2);
if (!dir) throw new Error('usage: mail-relay.ts <directory for the .eml files>');
const capture = await startMailCapture({ dir, port: 0, host: '127.0.0.1' });
process.stdout.write(`${capture.url}\n`);
process.once('SIGTERM', () => void capture.stop().finally(() => process.exit(0)));

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type CapturedMail, listCapturedMail, startMailCapture } from '../../lib/mail/capture.js';

/** A real SMTP server in-process, and what it received. */
export async function startMailbox() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tandem-mail-'));
  const capture = await startMailCapture({ dir, port: 0 });
  return {
    url: capture.url,
    messages: () => listCapturedMail(dir),
    async stop() {
      await capture.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Polls until `probe` gives a value. The limit only catches a condition that never comes: it is
 * generous, so that a busy machine slows a test down without failing it.
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 600_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export type { CapturedMail };

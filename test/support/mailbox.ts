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
  const start = Date.now();
  const deadline = start + timeoutMs;
  let told = start;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    // A long wait says so as it goes: on a loaded machine it is how a slow run differs from a stuck one.
    if (Date.now() - told > 60_000) {
      told = Date.now();
      console.warn(`still waiting for ${what} after ${Math.round((told - start) / 1000)} s`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export type { CapturedMail };

import { readFile } from 'node:fs/promises';

/** The command line of a running process, or null when none runs under that PID (Linux /proc). */
async function commandOf(pid: number): Promise<string | null> {
  const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => null);
  // A zombie (exited, not yet reaped) has an empty command line: it holds no port or file any more.
  return cmd ? cmd.replaceAll('\0', ' ').trim() : null;
}

/**
 * Stops a server that an earlier run of Tandem started and left running because that run was killed
 * (`kill -9` of `npm start` leaves its children behind). The PID comes from the file the server or
 * Tandem wrote; the process is stopped only while it still runs the command that was started
 * (`started` decides), so that a PID since reused by something else is left alone. Returns the PID
 * stopped, or null when there was nothing to stop.
 */
export async function stopLeftover(opts: {
  pidFile: string;
  started: (commandLine: string) => boolean;
  signal: NodeJS.Signals;
  what: string;
}): Promise<number | null> {
  const text = await readFile(opts.pidFile, 'utf8').catch(() => null);
  const pid = Number(text?.split('\n')[0]?.trim());
  if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) return null;
  const cmd = await commandOf(pid);
  if (!cmd || !opts.started(cmd)) return null;
  process.kill(pid, opts.signal);
  for (let waited = 0; (await commandOf(pid)) !== null; waited += 100) {
    if (waited >= 30_000) {
      throw new Error(
        `${opts.what} left running by an earlier start (pid ${pid}) did not stop within 30 s; stop it (kill ${pid}) and start again`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return pid;
}

import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Memory and CPU time of a process and all its descendants (Linux /proc), e.g. PostgreSQL and its
 * backends. Memory is PSS (proportional set size): shared pages, such as PostgreSQL's shared buffers,
 * are divided among the processes that map them instead of counted once in each.
 */
export async function processTree(rootPid: number): Promise<{ pssBytes: number; cpuSeconds: number; processes: number }> {
  const stats = new Map<number, { ppid: number; cpu: number }>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const text = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => null);
    if (!text) continue;
    // The command name is in parentheses and may hold spaces; the fields after it are numbered from 3.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    stats.set(Number(entry), {
      ppid: Number(fields[1]),
      // utime + stime, and cutime + cstime: the CPU of children it has reaped (PostgreSQL's backends
      // that ended), so that a tree's total never falls when one of its processes exits.
      cpu: (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / 100,
    });
  }
  const inTree = new Set([rootPid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, s] of stats) {
      if (!inTree.has(pid) && inTree.has(s.ppid)) {
        inTree.add(pid);
        grew = true;
      }
    }
  }
  let pssBytes = 0;
  let cpuSeconds = 0;
  for (const pid of inTree) {
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '');
    pssBytes += Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) * 1024;
    cpuSeconds += stats.get(pid)?.cpu ?? 0;
  }
  return { pssBytes, cpuSeconds, processes: inTree.size };
}

/** The PIDs of a bench system's Temporal server and PostgreSQL, from the PID files they keep in its scratch directory. */
export async function serverPids(scratchDir: string): Promise<{ temporal: number; postgres: number }> {
  const pidIn = async (file: string) => Number((await readFile(file, 'utf8')).split('\n')[0]);
  return {
    temporal: await pidIn(
      process.env.TEMPORAL_SERVER === 'postgres'
        ? path.join(scratchDir, 'temporal-server', 'temporal-server.pid')
        : path.join(scratchDir, 'temporal', 'temporal.db.pid'),
    ),
    postgres: await pidIn(path.join(scratchDir, 'postgres', 'postmaster.pid')),
  };
}

/**
 * CPU seconds used so far by this process (the API and the worker), the Temporal server and PostgreSQL,
 * and by the whole machine: all cores' busy time (/proc/stat's user, nice, system, irq, softirq and
 * steal), which also holds what no tree here does, such as a bench's mail relay.
 */
export async function systemCpu(pids: { temporal: number; postgres: number }) {
  const own = process.cpuUsage();
  const [, user, nice, system, , , irq, softirq, steal] = ((await readFile('/proc/stat', 'utf8')).split('\n')[0] ?? '')
    .trim()
    .split(/\s+/)
    .map(Number);
  return {
    own: (own.user + own.system) / 1e6,
    temporal: (await processTree(pids.temporal)).cpuSeconds,
    postgres: (await processTree(pids.postgres)).cpuSeconds,
    machine: ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / 100,
  };
}

type SystemCpu = Awaited<ReturnType<typeof systemCpu>>;

/**
 * Milliseconds of CPU one item cost each process, and the machine, between two readings of
 * `systemCpu`, formatted. PostgreSQL's figure includes Temporal's databases when the Temporal server
 * runs on PostgreSQL.
 */
export function cpuPerItem(before: SystemCpu, after: SystemCpu, items: number, digits = 0): Record<keyof SystemCpu, string> {
  const ms = (k: keyof SystemCpu) => (((after[k] - before[k]) * 1000) / items).toFixed(digits);
  return { own: ms('own'), temporal: ms('temporal'), postgres: ms('postgres'), machine: ms('machine') };
}

/**
 * Waits until this process, the Temporal server and PostgreSQL together use less than `share` of a
 * core over two seconds (the Temporal server on PostgreSQL alone uses about 8 % at rest): the work a
 * bench's setup set going (workflows' first tasks, mail, sweeps) is over, so that the first row
 * measured does not pay for it. Says how long it waited, or after `limitMs` that it goes on anyway.
 */
export async function untilQuiet(
  pids: { temporal: number; postgres: number },
  say: (line: string) => void,
  share = 0.15,
  limitMs = 120_000,
): Promise<void> {
  const started = Date.now();
  for (;;) {
    const before = await systemCpu(pids);
    await new Promise((r) => setTimeout(r, 2000));
    const after = await systemCpu(pids);
    const used = (after.own - before.own + (after.temporal - before.temporal) + (after.postgres - before.postgres)) / 2;
    const waited = ((Date.now() - started) / 1000).toFixed(0);
    if (used < share) return say(`the system came to rest ${waited} s after the setup (${(used * 100).toFixed(0)} % of a core)`);
    if (Date.now() - started > limitMs)
      return say(`the system still uses ${(used * 100).toFixed(0)} % of a core after ${waited} s: measuring anyway`);
  }
}

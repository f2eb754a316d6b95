import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Busy CPU time, in ms, by the part of the system that spent it: this process (the system's worker
 * and API, and the bench's polling), more workers, PostgreSQL, the Temporal server, the mail relay,
 * and anything else on the machine; `machine` is all cores' busy time. On a machine where every core
 * is busy, a burst's seconds move with whatever else runs; the CPU a copy costs moves much less, so a
 * change's effect shows in it where the seconds' spread hides it, and it says which part pays.
 */
export type CpuSpent = Record<CpuPart, number>;
const PARTS = ['worker and API', 'more workers', 'PostgreSQL', 'Temporal server', 'mail relay', 'anything else', 'machine'] as const;
type CpuPart = (typeof PARTS)[number];

// /proc's times are in clock ticks (USER_HZ), 100 a second on Linux for x86 and ARM.
const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim() || 100);

function partOf(pid: number, comm: string): CpuPart {
  if (pid === process.pid) return 'worker and API';
  if (comm === 'postgres') return 'PostgreSQL';
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return 'anything else';
  }
  if (cmdline.includes('mail-relay')) return 'mail relay';
  if (cmdline.includes('tandem.ts worker')) return 'more workers';
  if (/temporal/i.test(comm) || /temporal-server|temporal server/.test(cmdline)) return 'Temporal server';
  return 'anything else';
}

/** Every process's CPU so far, by pid, with its part. */
function processes(): Map<number, { part: CpuPart; ms: number }> {
  const seen = new Map<number, { part: CpuPart; ms: number }>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The command's name is in parentheses and may itself hold spaces or parentheses.
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime, fields 14 and 15 of stat(5), are the 12th and 13th after the name.
      const ticks = Number(fields[11]) + Number(fields[12]);
      seen.set(pid, { part: partOf(pid, comm), ms: ticks * TICK_MS });
    } catch {
      // Exited while being read.
    }
  }
  return seen;
}

/** All cores' busy time: user, nice, system, irq, softirq and steal of /proc/stat's first line, as the processes' times are read. */
function machineMs(): number {
  const [, user, nice, system, , , irq, softirq, steal] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] as string)
    .trim()
    .split(/\s+/)
    .map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) * TICK_MS;
}

/** A reading to measure from; `since(reading)` is what each part spent after it. */
export function cpuReading() {
  const before = processes();
  const machineBefore = machineMs();
  return {
    since(): CpuSpent {
      const spent = Object.fromEntries(PARTS.map((p) => [p, 0])) as CpuSpent;
      // A process started meanwhile (a PostgreSQL backend) counts whole; one that ended meanwhile is lost.
      for (const [pid, now] of processes()) spent[now.part] += now.ms - (before.get(pid)?.ms ?? 0);
      spent.machine = machineMs() - machineBefore;
      return spent;
    },
  };
}

/** "worker and API 3.1 ms, PostgreSQL 1.2 ms, …" a unit of work (a copy, a timer), leaving out parts that spent nothing. */
export function perUnit(spent: CpuSpent, units: number): string {
  return PARTS.filter((p) => spent[p] > 0)
    .map((p) => `${p} ${(spent[p] / units).toFixed(2)} ms`)
    .join(', ');
}

/**
 * Keeps an embedded service running (`npm start`'s PostgreSQL and Temporal dev server): checks every
 * second that it is alive and, when it has died, starts it again on the same port and the same data,
 * backing off (1 s, 2 s, 4 s … 30 s) while starts fail, and says what happened. Clients reconnect by
 * themselves: the address does not change.
 */
export interface Supervisor {
  /** Stops watching; the service itself is stopped by its owner. */
  stop(): void;
}

export function supervise(opts: {
  what: string;
  alive: () => boolean;
  restart: () => Promise<void>;
  say: (message: string) => void;
  checkEveryMs?: number;
}): Supervisor {
  const every = opts.checkEveryMs ?? 1_000;
  let stopped = false;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  const schedule = (ms: number) => {
    if (!stopped) timer = setTimeout(check, ms).unref();
  };
  async function check() {
    if (stopped) return;
    if (opts.alive()) {
      failures = 0;
      return schedule(every);
    }
    opts.say(`${opts.what} stopped unexpectedly; starting it again`);
    try {
      await opts.restart();
      failures = 0;
      opts.say(`${opts.what} is running again`);
      schedule(every);
    } catch (e) {
      failures++;
      const wait = Math.min(30_000, 1_000 * 2 ** (failures - 1));
      opts.say(`${opts.what} could not be started again (${(e as Error).message}); trying again in ${wait / 1000} s`);
      schedule(wait);
    }
  }
  schedule(every);
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

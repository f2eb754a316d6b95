import type { Logger } from './logger.js';

/** What a process started, stopped in reverse order; a failing stop is logged and the rest still run. */
export class StopList {
  private readonly stops: Array<{ name: string; stop: () => Promise<void> }> = [];
  private stopped: Promise<void> | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly progress: (message: string) => void,
  ) {}

  add(name: string, stop: () => Promise<void>): void {
    this.stops.push({ name, stop });
  }

  /** Safe to call twice: the second call waits for the first. */
  stopAll(): Promise<void> {
    this.stopped ??= (async () => {
      while (this.stops.length) {
        const { name, stop } = this.stops.pop() as (typeof this.stops)[number];
        const started = Date.now();
        await stop().catch((err) => this.logger.error({ err }, `error while stopping ${name}`));
        this.progress(`stopped ${name} (${Date.now() - started} ms)`);
      }
    })();
    return this.stopped;
  }
}

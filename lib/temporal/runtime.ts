import { Runtime } from '@temporalio/worker';
import type { Logger } from '../logger.js';

/**
 * Routes the Temporal SDK's own logs (worker state changes, core warnings) through our logger at
 * warn and above, and with `metricsPort` serves the SDK's worker metrics (task latencies, pollers,
 * slots, the workflow cache, activity failures) in Prometheus' format on that port's `/metrics`. Once
 * per process, before the first worker or native connection.
 */
export function installTemporalRuntime(logger: Logger, opts: { metricsPort?: number | undefined } = {}): void {
  const drop = () => {};
  Runtime.install({
    logger: {
      log: drop,
      trace: drop,
      debug: drop,
      info: drop,
      warn: (message, meta) => logger.warn(meta ?? {}, message),
      error: (message, meta) => logger.error(meta ?? {}, message),
    },
    ...(opts.metricsPort !== undefined && {
      telemetryOptions: {
        metrics: {
          // Prometheus' conventions: counters end in _total, durations in seconds with the unit in the name.
          prometheus: {
            bindAddress: `0.0.0.0:${opts.metricsPort}`,
            countersTotalSuffix: true,
            unitSuffix: true,
            useSecondsForDurations: true,
          },
        },
      },
    }),
  });
}

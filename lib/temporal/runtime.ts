import { Runtime } from '@temporalio/worker';
import type { Logger } from '../logger.js';

/**
 * Routes the Temporal SDK's own logs (worker state changes, core warnings) through our logger at
 * warn and above. Once per process, before the first worker or native connection.
 */
export function installTemporalRuntime(logger: Logger): void {
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
  });
}

import { createLogger } from '../../lib/logger.js';
import { installTemporalRuntime } from '../../lib/temporal/runtime.js';

installTemporalRuntime(createLogger(process.env.LOG_LEVEL ?? 'warn', 'tandem-test'));

import { pino } from 'pino';
import { traceIds } from './tracing.js';

export type Logger = pino.Logger;

/**
 * The one logger. JSON lines in production; the level comes from config (LOG_LEVEL). A line written
 * inside a traced request or activity carries its trace_id and span_id (lib/tracing.ts).
 */
export function createLogger(level: string, name = 'tandem'): Logger {
  return pino({ name, level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime, mixin: () => traceIds() ?? {} });
}

import { pino } from 'pino';

export type Logger = pino.Logger;

/** The one logger. JSON lines in production; the level comes from config (LOG_LEVEL). */
export function createLogger(level: string, name = 'tandem'): Logger {
  return pino({ name, level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime });
}

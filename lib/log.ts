import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * The one root logger of a process: JSON lines on stdout. Every service and component takes a
 * child of it (`rootLogger.child({ service: 'auth' })`) so each line says where it came from.
 * LOG_LEVEL picks the level; tests default to `warn` so their output stays readable.
 */
export const rootLogger: Logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'warn' : 'info'),
  base: { pid: process.pid },
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }) },
});

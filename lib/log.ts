import { pino, type Logger } from 'pino';
import { ConfigError } from './config/env.js';
import { readLogLevel, type LogLevel } from './config/process-settings.js';
import { logLineStream } from './log-lines.js';

export type { Logger };

/**
 * LOG_LEVEL, or `info`. A bad value is refused at start by `loadProcessSettings` (which names it);
 * the logger itself must exist before that, so here it falls back to `info`.
 */
function rootLevel(): LogLevel {
  try {
    return readLogLevel(process.env, process.env.NODE_ENV === 'test' ? 'warn' : 'info');
  } catch (error) {
    if (error instanceof ConfigError) return 'info';
    throw error;
  }
}

/**
 * The one root logger of a process: JSON lines on stdout (readable lines when stdout is a
 * terminal). Every service and component takes a child of it (`rootLogger.child({ service: 'auth' })`)
 * so each line says where it came from.
 */
export const rootLogger: Logger = pino(
  {
    level: rootLevel(),
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  },
  logLineStream,
);

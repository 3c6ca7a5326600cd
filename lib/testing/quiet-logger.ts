import { rootLogger, type Logger } from '../log.js';

/** A logger for tests that provoke failures on purpose: silent unless LOG_LEVEL asks otherwise. */
export function quietLogger(): Logger {
  return rootLogger.child({ test: true }, { level: process.env.LOG_LEVEL ?? 'silent' });
}

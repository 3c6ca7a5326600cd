import { rootLogger, type Logger } from '../log.js';

/**
 * A logger for pieces a test provokes into failing. Its lines, like every line of the root logger
 * in a test run, are kept per test and printed only when the test fails (lib/testing/log-capture.ts).
 */
export function quietLogger(): Logger {
  return rootLogger.child({ test: true });
}

import { pino } from 'pino';
import { formatLogLineForTerminal } from './log-format.js';

/** Something that takes one serialised log line (JSON, ending in a newline). */
export type LogLineSink = (line: string) => void;

const stdout = pino.destination({ fd: 1, sync: true });
// A person at a terminal reads lines; anything else (a pipe, a file, a collector) gets JSON.
const toStdout: LogLineSink = process.stdout.isTTY
  ? (line) => stdout.write(formatLogLineForTerminal(line))
  : (line) => stdout.write(line);

let sink: LogLineSink = toStdout;

/**
 * Sends the root logger's lines somewhere else until called again without a sink (stdout then).
 * The test run uses it to keep each test's lines and print them only when the test fails.
 */
export function redirectLogLines(next: LogLineSink | undefined): void {
  sink = next ?? toStdout;
}

/** The stream pino writes to: whatever sink is current when a line is written. */
export const logLineStream = { write: (line: string): void => sink(line) };

import { writeSync } from 'node:fs';
import { format } from 'node:util';
import { setLogger } from '@grpc/grpc-js';
import type { Context } from 'mocha';
import { redirectLogLines } from '../log-lines.js';

/**
 * A mocha root hook plugin (`.mocharc.json` requires it): the process's log lines (and grpc-js's
 * console output and Node's warnings) are kept while a
 * test runs and printed under its title only if it fails, so a passing run prints the reporter's
 * lines alone. Lines of a failing `before all` hook, which has no test of its own, are printed when
 * the run ends with failures.
 */
const MAX_KEPT_LINES = 5_000;
let kept: string[] = [];

function keep(line: string): void {
  kept.push(line);
  if (kept.length > MAX_KEPT_LINES) kept = kept.slice(-MAX_KEPT_LINES / 2);
}

redirectLogLines(keep);
// grpc-js writes its own errors (a port it could not bind, say) to the console.
const keepGrpcLine = (...args: unknown[]): void => keep(`grpc-js: ${format(...args)}\n`);
setLogger({ error: keepGrpcLine, info: keepGrpcLine, debug: keepGrpcLine });
// Node's own warnings (deprecations, listener leaks) go with the test they happened in, instead of
// Node's default printer writing them between the reporter's lines.
process.removeAllListeners('warning');
process.on('warning', (warning) => keep(`node: ${warning.stack ?? `${warning.name}: ${warning.message}`}\n`));

function printKept(title: string): void {
  if (kept.length === 0) return;
  writeSync(2, `\n--- log lines of "${title}" ---\n${kept.join('')}--- end of log lines ---\n`);
}

export const mochaHooks = {
  afterEach(this: Context): void {
    const test = this.currentTest;
    if (test?.state === 'failed') printKept(test.fullTitle());
    kept = [];
  },
};

process.on('exit', (code) => {
  if (code !== 0 || (process.exitCode ?? 0) !== 0) printKept('the run (outside any test)');
});

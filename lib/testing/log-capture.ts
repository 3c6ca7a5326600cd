import { writeSync } from 'node:fs';
import { format } from 'node:util';
import { setLogger } from '@grpc/grpc-js';
import Mocha from 'mocha';
import { redirectLogLines } from '../log-lines.js';

/**
 * A mocha root hook plugin (`.mocharc.json` requires it): the process's log lines, grpc-js's console
 * output and Node's warnings are kept while a test (or a hook) runs, printed under its title if it
 * fails, and dropped when it ends otherwise. A passing run prints the reporter's lines alone.
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

// Every failure, a test's or a hook's (a mesh that did not start in `before all`), passes through
// Runner#fail: print what was kept since the last test ended, there.
const runner = Mocha.Runner.prototype as unknown as {
  fail(runnable: Mocha.Runnable, ...rest: unknown[]): void;
};
const fail = runner.fail;
runner.fail = function (this: unknown, runnable, ...rest) {
  if (kept.length > 0) {
    writeSync(
      2,
      `\n--- log lines of "${runnable.fullTitle()}" ---\n${kept.join('')}--- end of log lines ---\n`,
    );
    kept = [];
  }
  fail.call(this, runnable, ...rest);
};

export const mochaHooks = {
  afterEach(): void {
    kept = [];
  },
};

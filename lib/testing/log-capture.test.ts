import { spawnSync } from 'node:child_process';
import { expect } from 'chai';

describe('lib/testing/log-capture: a test run prints the logs of failing tests only', function () {
  this.timeout(60_000);

  it("prints a failing test's or hook's log lines and nothing of a passing test", () => {
    // The project's .mocharc.json (which requires the capture plugin), on a suite of its own.
    const result = spawnSync(
      process.execPath,
      ['node_modules/mocha/bin/mocha.js', 'lib/testing/fixtures/logging.spec.ts'],
      { env: { ...process.env, LOG_LEVEL: 'info' }, encoding: 'utf8' },
    );
    const output = `${result.stdout}${result.stderr}`;
    expect(result.status, output).to.equal(2); // mocha exits with the number of failures
    expect(output).to.contain('line of the failing test');
    expect(output).to.contain('warning of the failing test');
    expect(output).to.contain('line of the failing set-up');
    expect(output).not.to.contain('line of the passing test');
    expect(output).not.to.contain('warning of the passing test');
  });
});

import { spawnSync } from 'node:child_process';
import { expect } from 'chai';

/** Starts `services/cart/main.ts` as its own process with the given settings and waits for it to exit. */
function startCartAlone(env: Record<string, string>): { status: number | null; output: string } {
  const { NATS_URL: _nats, DATABASE_URL: _db, ...inherited } = process.env;
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'services/cart/main.ts'], {
    env: { ...inherited, LOG_LEVEL: 'info', METRICS_PORT: '0', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('a service process that cannot start', function () {
  this.timeout(120_000);

  it('names a malformed setting and exits non-zero', () => {
    const { status, output } = startCartAlone({
      NATS_URL: 'nats://127.0.0.1:4222',
      CART_GRPC_PORT: 'eighty',
    });
    expect(status).to.equal(1);
    expect(output).to.contain('configuration: CART_GRPC_PORT must be a whole number, got \\"eighty\\"');
  });

  it('names a log level pino does not know and exits non-zero', () => {
    const { status, output } = startCartAlone({ LOG_LEVEL: 'loud' });
    expect(status).to.equal(1);
    expect(output).to.contain('configuration: LOG_LEVEL must be one of fatal, error, warn, info');
  });

  it('refuses to run alone without NATS_URL, saying why', () => {
    const { status, output } = startCartAlone({});
    expect(status).to.equal(1);
    expect(output).to.contain('NATS_URL is not set');
  });
});

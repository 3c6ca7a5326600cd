import { expect } from 'chai';
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation, type ServingStatusMap } from 'grpc-health-check';
import { runLoad } from './driver.js';

/** A bare grpc-js server with only the health service, on a free loopback port. */
async function startHealthServer(
  statuses: ServingStatusMap = { '': 'SERVING' },
): Promise<{ address: string; stop(): Promise<void> }> {
  const server = new grpc.Server();
  new HealthImplementation(statuses).addToServer(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    address: `127.0.0.1:${port}`,
    stop: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
}

describe('runLoad (smoke, against a health server started here)', () => {
  let server: Awaited<ReturnType<typeof startHealthServer>>;

  before(async () => {
    server = await startHealthServer();
  });

  after(async () => {
    await server.stop();
  });

  it('runs the noop scenario for 1 s in two client processes and reports calls and no errors', async () => {
    const result = await runLoad({
      scenario: 'noop',
      target: server.address,
      inFlight: 8,
      clients: 2,
      durationSeconds: 1,
      warmupSeconds: 0.2,
    });
    expect(result.scenario).to.equal('noop');
    expect(result.calls).to.be.greaterThan(0);
    expect(result.errors).to.deep.equal({});
    expect(result.callsPerSecond).to.be.greaterThan(0);
    expect(result.p50Ms).to.be.greaterThan(0);
    expect(result.p50Ms).to.be.at.most(result.p90Ms);
    expect(result.p90Ms).to.be.at.most(result.p99Ms);
    expect(result.p99Ms).to.be.at.most(result.maxMs);
    expect(result.clientCpuPercent).to.have.length(2);
  });

  it('counts failed calls by status code and keeps them out of the latencies', async () => {
    // No status for the service '' is registered, so every Check answers NOT_FOUND.
    const empty = await startHealthServer({});
    try {
      const result = await runLoad({
        scenario: 'noop',
        target: empty.address,
        inFlight: 2,
        clients: 1,
        durationSeconds: 0.5,
        warmupSeconds: 0,
      });
      expect(result.calls).to.equal(0);
      expect(Object.keys(result.errors)).to.deep.equal(['NOT_FOUND']);
      expect(result.errors.NOT_FOUND).to.be.greaterThan(0);
      expect(result.callsPerSecond).to.equal(0);
    } finally {
      await empty.stop();
    }
  });

  it('refuses targets that are not 127.0.0.1', async () => {
    const error = await runLoad({
      scenario: 'noop',
      target: '10.0.0.1:50051',
      inFlight: 1,
      durationSeconds: 1,
    }).catch((failure: Error) => failure);
    expect((error as Error).message).to.match(/127\.0\.0\.1/);
  });
});

import { expect } from 'chai';
import { freePort } from '../testing/free-port.js';
import { waitUntilServing } from './health-probe.js';

describe('lib/runtime/health-probe: waitUntilServing', function () {
  this.timeout(5_000);

  it('stops polling when told to, long before its own timeout', async () => {
    // Nothing listens there; a minute of polling would outlive the test.
    const address = `127.0.0.1:${await freePort()}`;
    const error = await waitUntilServing(address, 60_000, AbortSignal.timeout(300)).catch((e: unknown) => e);
    expect((error as Error).message).to.equal(`stopped waiting for ${address} to serve`);
  });
});

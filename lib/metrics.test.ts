import { expect } from 'chai';
import { loadProcessSettings } from './config/process-settings.js';
import { freePort } from './testing/free-port.js';
import { rpcServerHandled, startMetricsServer } from './metrics.js';

describe('metrics server', () => {
  it('serves the registry as Prometheus text on /metrics', async () => {
    rpcServerHandled.inc({ service: 'test.v1.EchoService', method: 'Echo', code: 'OK' });
    const port = await freePort();
    const { close } = await startMetricsServer(port, '127.0.0.1');
    try {
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(response.status).to.equal(200);
      expect(response.headers.get('content-type')).to.contain('text/plain');
      const text = await response.text();
      expect(text).to.contain(
        'grpc_server_handled_total{service="test.v1.EchoService",method="Echo",code="OK"}',
      );
      expect(text).to.contain('process_cpu_seconds_total');
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).to.equal(404);
    } finally {
      await close();
    }
  });

  it('port 0 disables it', async () => {
    const server = await startMetricsServer(0, '127.0.0.1');
    expect(server.address).to.equal(undefined);
    await server.close();
  });

  it('listens on loopback only unless METRICS_HOST opens it', async () => {
    const server = await startMetricsServer(await freePort(), loadProcessSettings({}).metricsHost);
    try {
      expect(server.address?.host).to.equal('127.0.0.1');
    } finally {
      await server.close();
    }
    expect(loadProcessSettings({ METRICS_HOST: '0.0.0.0' }).metricsHost).to.equal('0.0.0.0');
  });
});

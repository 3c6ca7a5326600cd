import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { rootLogger } from './log.js';

/**
 * The one Prometheus registry of a process. In embedded mode ten services share a process, so
 * every RPC metric carries the service (server side) or target (client side) as a label.
 * Other libraries register their own metrics here (`registers: [metricsRegistry]`).
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const rpcServerHandled = new Counter({
  name: 'grpc_server_handled_total',
  help: 'RPCs completed by this process, by service, method and status code',
  labelNames: ['service', 'method', 'code'] as const,
  registers: [metricsRegistry],
});

export const rpcServerDuration = new Histogram({
  name: 'grpc_server_handling_seconds',
  help: 'Time to answer an RPC, by service, method and status code',
  labelNames: ['service', 'method', 'code'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [metricsRegistry],
});

export const rpcClientHandled = new Counter({
  name: 'grpc_client_handled_total',
  help: 'Outgoing RPC attempts that reached the network, by target service, method and status code',
  labelNames: ['target', 'method', 'code'] as const,
  registers: [metricsRegistry],
});

export const rpcClientDuration = new Histogram({
  name: 'grpc_client_handling_seconds',
  help: 'Duration of outgoing RPC attempts, by target service, method and status code',
  labelNames: ['target', 'method', 'code'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [metricsRegistry],
});

export const rpcClientRetries = new Counter({
  name: 'grpc_client_retries_total',
  help: 'Retried attempts of idempotent outgoing RPCs, by target service and method',
  labelNames: ['target', 'method'] as const,
  registers: [metricsRegistry],
});

export const breakerRejections = new Counter({
  name: 'grpc_client_breaker_rejections_total',
  help: 'Outgoing RPCs refused at once because the circuit breaker of the target was open',
  labelNames: ['target'] as const,
  registers: [metricsRegistry],
});

/** 0 closed, 1 half-open, 2 open. */
export const breakerState = new Gauge({
  name: 'grpc_client_breaker_state',
  help: 'Circuit breaker state per target service: 0 closed, 1 half-open, 2 open',
  labelNames: ['target'] as const,
  registers: [metricsRegistry],
});

export const backgroundJobRuns = new Counter({
  name: 'background_job_runs_total',
  help: 'Runs of a periodic background job, by service, job and outcome (succeeded, failed)',
  labelNames: ['service', 'job', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const backgroundJobLastSuccess = new Gauge({
  name: 'background_job_last_success_timestamp_seconds',
  help: 'When a periodic background job last finished a run without error (Unix time)',
  labelNames: ['service', 'job'] as const,
  registers: [metricsRegistry],
});

export interface MetricsServer {
  /** Where it listens, or undefined when port 0 turned it off. */
  address: { host: string; port: number } | undefined;
  close(): Promise<void>;
}

/**
 * Serves `/metrics` (Prometheus text) on `host:port` (METRICS_HOST, loopback unless a deployment
 * opens it); port 0 disables it. Resolves once listening.
 */
export async function startMetricsServer(port: number, host: string): Promise<MetricsServer> {
  if (port === 0) return { address: undefined, close: async () => {} };
  const logger = rootLogger.child({ component: 'metrics' });
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    metricsRegistry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metricsRegistry.contentType }).end(text),
      (error: unknown) => {
        logger.error({ err: error }, 'collecting metrics failed');
        res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics collection failed\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port: listening } = server.address() as AddressInfo;
  logger.info({ port: listening, host: address }, 'metrics served on /metrics');
  return {
    address: { host: address, port: listening },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

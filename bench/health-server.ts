/**
 * A bare grpc-js server with only grpc.health.v1 (what the `noop` scenario calls), to measure the
 * load driver itself without the services:
 *   npx tsx bench/health-server.ts --port 50199 &
 *   npx tsx bench/run.ts --scenario noop --target 127.0.0.1:50199
 * Stops on SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';

const { values } = parseArgs({ options: { port: { type: 'string', default: '50199' } } });
const server = new grpc.Server();
new HealthImplementation({ '': 'SERVING' }).addToServer(server);
server.bindAsync(`127.0.0.1:${values.port}`, grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) {
    console.error(`bench/health-server.ts: ${error.message}`);
    process.exit(1);
  }
  console.log(`grpc.health.v1 serving on 127.0.0.1:${port} (pid ${process.pid})`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => server.tryShutdown(() => process.exit(0)));
}

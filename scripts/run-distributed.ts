import { SERVICE_NAMES } from '../lib/config/index.js';
import { ProcessMesh, ServiceStartError } from '../lib/runtime/process-mesh.js';

// `make run-distributed`: the ten services as separate processes against DATABASE_URL and NATS_URL
// (run `make migrate` first). Ctrl-C stops them all; so does a service that refuses to start.
for (const setting of ['DATABASE_URL', 'NATS_URL']) {
  if (!process.env[setting]) {
    console.error(`${setting} is not set: the distributed run needs PostgreSQL and NATS (see README)`);
    process.exit(2);
  }
}
const mesh = new ProcessMesh({ ...process.env }, 'inherit');
process.on('SIGINT', () => void mesh.stop().then(() => process.exit(0)));
process.on('SIGTERM', () => void mesh.stop().then(() => process.exit(0)));
try {
  await mesh.start(SERVICE_NAMES);
} catch (error) {
  const why = error instanceof ServiceStartError ? error.message : String(error);
  console.error(`\n${why}\nEvery service process this run started has been stopped.`);
  process.exit(1);
}
console.log(`\nAll ${SERVICE_NAMES.length} services are serving as separate processes. Ctrl-C stops them.\n`);

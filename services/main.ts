import { runMesh } from '../lib/runtime/run.js';
import { ALL_SERVICES } from './registry.js';

// `make run`: all ten services in one process (embedded PGlite and in-process events by default).
await runMesh(ALL_SERVICES);

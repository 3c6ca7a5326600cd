import { ensureTemplate } from '../lib/db/pglite.js';

// Part of `make build`: initialise the embedded PostgreSQL template once, so that even the first
// `make run` on a machine only copies it for each of the ten databases.
const started = Date.now();
const template = await ensureTemplate();
console.log(
  `embedded PostgreSQL template ready at ${template} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
);

/**
 * Required by `.mocharc.json` before any test file loads: the services a test run starts keep small
 * database pools, DB_POOL_MAX=4 unless the environment says otherwise (the processes a run spawns
 * inherit it). With the services' default of 10, one run's meshes peaked at ~60 connections, so
 * two runs on one PostgreSQL server (`max_connections` 100 by default) ran out between them. No
 * request needs two connections at once (embedded PGlite has only one), so a small pool only
 * queues.
 */
process.env.DB_POOL_MAX ??= '4';

export {};

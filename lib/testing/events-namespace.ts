import { randomBytes } from 'node:crypto';
import { writeSync } from 'node:fs';
import { deleteAbandonedTestStreams, deleteStreamsStartingWith } from './nats-scratch.js';

/**
 * A mocha root hook plugin (`.mocharc.json` requires it). Every test run has an EVENTS_NAMESPACE of
 * its own, set here before any test file is loaded (whatever the environment said): the services a
 * run starts, in this process or as processes of their own (they inherit the environment), and the
 * tests' own NATS connections (`test/support/event-tap.ts`) use streams, subjects and durables no
 * other run on the same NATS server uses; each test mesh takes a namespace of its own under it. At
 * the end of the run its streams, and so their consumers, are deleted, so a developer's NATS does
 * not collect them; so are those of earlier runs that were killed before their end (a day old).
 */
const namespace = `t${process.pid.toString(36)}${randomBytes(3).toString('hex')}`;
/** No test run lasts this long: a test run's stream older than this was left by a killed run. */
const ABANDONED_AFTER_MS = 24 * 60 * 60 * 1000;
process.env.EVENTS_NAMESPACE = namespace;

export const mochaHooks = {
  async afterAll(): Promise<void> {
    if (!process.env.NATS_URL) return; // in-process events: nothing was created on a server
    // The run's streams and its meshes' (test/support/mesh.ts: `<run namespace>_<mesh>`).
    const prefix = `${namespace}_`;
    await deleteStreamsStartingWith(prefix).catch((error: unknown) => {
      writeSync(2, `\nthis run's NATS streams (${prefix}*) could not be deleted: ${String(error)}\n`);
    });
    await deleteAbandonedTestStreams(ABANDONED_AFTER_MS).catch((error: unknown) => {
      writeSync(2, `\nthe NATS streams of killed test runs could not be deleted: ${String(error)}\n`);
    });
  },
};

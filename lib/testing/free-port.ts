import { createServer } from 'node:net';

/**
 * Ports for test listeners, chosen at run time so that two test runs on one machine never share
 * one. Taken at random from 20000–32767: below the kernel's ephemeral range (32768 and up), where
 * an outgoing connection of the suite itself (to PostgreSQL, NATS, another service) could hold the
 * very port a service is about to bind or re-bind after a restart. Each candidate is bound once to
 * prove it is free; a port handed out in this process is not handed out again.
 */
const FIRST = 20_000;
const LAST = 32_767;
const handedOut = new Set<number>();

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = FIRST + Math.floor(Math.random() * (LAST - FIRST + 1));
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await isFree(port)) return port;
  }
  throw new Error(`no free port found in ${FIRST}–${LAST}`);
}

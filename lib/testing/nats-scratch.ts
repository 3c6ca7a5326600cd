import { connect } from 'nats';

/** The NATS server tests use: NATS_URL, or the one every machine of this project runs. */
export function natsTestUrl(): string {
  return process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
}

/** A publisher name no other run uses, so its stream `EVENTS_<NAME>` and subjects are private. */
export function uniqueServiceName(prefix = 't'): string {
  return `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;
}

/** Deletes the given JetStream streams (and so their consumers), ignoring ones that do not exist. */
export async function deleteStreams(names: string[]): Promise<void> {
  const nc = await connect({ servers: natsTestUrl() });
  try {
    const jsm = await nc.jetstreamManager();
    for (const name of names) await jsm.streams.delete(name).catch(() => false);
  } finally {
    await nc.close();
  }
}

/**
 * Deletes every JetStream stream whose name starts with `prefix` (and so their consumers), for a
 * test run cleaning up its namespace. Returns the names it deleted.
 */
export async function deleteStreamsStartingWith(prefix: string): Promise<string[]> {
  if (!prefix) throw new Error('refusing to delete every stream on the server: give a prefix');
  const nc = await connect({ servers: natsTestUrl(), timeout: 5_000 });
  try {
    const jsm = await nc.jetstreamManager();
    const names: string[] = [];
    for await (const name of jsm.streams.names()) if (name.startsWith(prefix)) names.push(name);
    for (const name of names) await jsm.streams.delete(name).catch(() => false);
    return names;
  } finally {
    await nc.close();
  }
}

/**
 * A stream of a test run's namespace (`lib/testing/events-namespace.ts`: `t<pid><6 hex>`, and a
 * test mesh's under it: `_<pid>_<time>`), as the transport names it (`<namespace>_EVENTS_<SERVICE>`).
 */
const TEST_RUN_STREAM = /^t[0-9a-z]{1,8}[0-9a-f]{6}_(\d+_[0-9a-z]+_)?EVENTS_[A-Z0-9_]+$/;

/**
 * The streams of test runs that ended without deleting their own (killed, or their NATS went away
 * at the end): named as a test run names them, and created more than `olderThanMs` before `now`,
 * when no run lasts that long.
 */
export function abandonedTestStreams(
  streams: readonly { name: string; created: string }[],
  olderThanMs: number,
  now: number,
): string[] {
  return streams
    .filter(({ name, created }) => TEST_RUN_STREAM.test(name) && now - Date.parse(created) > olderThanMs)
    .map(({ name }) => name);
}

/** Deletes the streams `abandonedTestStreams` names on the test NATS server; returns their names. */
export async function deleteAbandonedTestStreams(olderThanMs: number): Promise<string[]> {
  const nc = await connect({ servers: natsTestUrl(), timeout: 5_000 });
  try {
    const jsm = await nc.jetstreamManager();
    const streams: { name: string; created: string }[] = [];
    for await (const stream of jsm.streams.list())
      streams.push({ name: stream.config.name, created: stream.created });
    const names = abandonedTestStreams(streams, olderThanMs, Date.now());
    for (const name of names) await jsm.streams.delete(name).catch(() => false);
    return names;
  } finally {
    await nc.close();
  }
}

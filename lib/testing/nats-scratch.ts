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

import type { EntityManager } from '../db/orm.js';
import { newId } from '../ids.js';
import { toBuffer, toBytes } from './bytes.js';

/** An event a consumer gave up on, kept in `infra.dead_letters` for inspection and replay. */
export interface DeadLetter {
  id: string;
  consumer: string;
  eventId: string;
  subject: string;
  envelope: Uint8Array;
  error: string;
  attempts: number;
  createdAt: Date;
  replayedAt: Date | null;
}

const MAX_ERROR_LENGTH = 8_000;

/**
 * Text PostgreSQL can store whatever it holds: NUL (refused in any text value) becomes `\0`, and
 * a lone UTF-16 surrogate (not encodable as UTF-8) becomes U+FFFD. An error about a value that
 * could not be stored usually quotes that value, so without this the error could not be stored
 * either.
 */
export function storableText(text: string): string {
  return text
    .replaceAll('\u0000', '\\0')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** The error as storable text: its stack and its causes' messages, at most `maxLength` characters. */
export function describeError(error: unknown, maxLength = MAX_ERROR_LENGTH): string {
  let text = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  for (let cause = (error as Error)?.cause, depth = 0; cause !== undefined && depth < 5; depth++) {
    text += `\ncaused by: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`;
    cause = (cause as Error)?.cause;
  }
  // Cut before cleaning: a cut can split a surrogate pair.
  if (text.length > maxLength) text = `${text.slice(0, maxLength)}…`;
  return storableText(text);
}

/**
 * Parks an event for a consumer. Parking the same event again (a replay that failed, a redelivery
 * after parking) refreshes the row: latest error, attempts added up, not replayed.
 */
export async function writeDeadLetter(
  em: EntityManager,
  entry: {
    consumer: string;
    eventId: string;
    subject: string;
    envelope: Uint8Array;
    error: unknown;
    attempts: number;
  },
): Promise<string> {
  const rows = await em.execute<{ id: string }[]>(
    `INSERT INTO infra.dead_letters (id, consumer, event_id, subject, envelope, error, attempts)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (consumer, event_id) DO UPDATE SET
       error = EXCLUDED.error,
       attempts = infra.dead_letters.attempts + EXCLUDED.attempts,
       created_at = now(),
       replayed_at = NULL
     RETURNING id`,
    [
      newId(),
      entry.consumer,
      entry.eventId,
      storableText(entry.subject),
      toBuffer(entry.envelope),
      describeError(entry.error),
      entry.attempts,
    ],
  );
  return rows[0]!.id;
}

interface DeadLetterRow {
  id: string;
  consumer: string;
  event_id: string;
  subject: string;
  envelope: Uint8Array;
  error: string;
  attempts: number;
  created_at: Date | string;
  replayed_at: Date | string | null;
}

export async function findDeadLetter(em: EntityManager, id: string): Promise<DeadLetter | undefined> {
  const rows = await em.execute<DeadLetterRow[]>('SELECT * FROM infra.dead_letters WHERE id = ?', [id]);
  const row = rows[0];
  if (!row) return undefined;
  return {
    id: row.id,
    consumer: row.consumer,
    eventId: row.event_id,
    subject: row.subject,
    envelope: toBytes(row.envelope),
    error: row.error,
    attempts: row.attempts,
    createdAt: new Date(row.created_at),
    replayedAt: row.replayed_at === null ? null : new Date(row.replayed_at),
  };
}

export async function markDeadLetterReplayed(em: EntityManager, id: string): Promise<void> {
  await em.execute('UPDATE infra.dead_letters SET replayed_at = now() WHERE id = ?', [id], 'run');
}

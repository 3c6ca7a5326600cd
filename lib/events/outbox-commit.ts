import type { MikroORM } from '@mikro-orm/core';
import { CommitNotes, type CommitListener } from '../db/commit-notes.js';
import type { EntityManager } from '../db/orm.js';
import type { OutboxRow } from './outbox.js';

/**
 * Lets the relay hear the moment a transaction that wrote an event commits, instead of waiting
 * for its next poll (`CommitNotes`: never for a rolled-back transaction). `publishEvent` notes that
 * its transaction wrote rows for a claim; `outboxWritten` notes a row a statement wrote already
 * reserved for this process (`insertOutboxRowFrom`), to be handed to the relay.
 */

/** What a commit wrote to the outbox, as its listeners hear of it. */
export interface OutboxCommit {
  /** Rows written reserved for this process's relay, to be handed to it (`outboxWritten`). */
  reserved: OutboxRow[];
  /** Rows for the relay to claim were written too (`publishEvent`). */
  claimable: boolean;
}

const CLAIMABLE = 'claimable' as const;
type OutboxWrite = OutboxRow | typeof CLAIMABLE;

function commitOf(writes: readonly OutboxWrite[]): OutboxCommit {
  return {
    reserved: writes.filter((write): write is OutboxRow => write !== CLAIMABLE),
    claimable: writes.includes(CLAIMABLE),
  };
}

/** Every listener hears of the commit; its reserved rows go to the first only (one relay per database). */
function deliver(listeners: readonly CommitListener<OutboxWrite>[], writes: readonly OutboxWrite[]): void {
  const others: OutboxWrite[] = writes.includes(CLAIMABLE) ? [CLAIMABLE] : [];
  listeners.forEach((listener, index) => listener(index === 0 ? writes : others));
}

const outboxWrites = new CommitNotes<OutboxWrite>(deliver);

/** Notes that the transaction of `em` wrote rows to the outbox for the relay to claim. */
export function markOutboxWrite(em: EntityManager): void {
  outboxWrites.note(em, CLAIMABLE);
}

/**
 * Says that a statement of `em` wrote `row` itself (`insertOutboxRowFrom`, in a writable CTE); call
 * it only when the statement did write it. Inside a transaction the row is handed to the relay
 * once that commits; outside one the statement has committed by itself, and it is handed over now.
 */
export function outboxWritten(em: EntityManager, row: OutboxRow): void {
  outboxWrites.note(em, row);
}

/** Calls `listener` after every commit of a transaction on `orm` that wrote to the outbox; returns the unsubscribe. */
export function onOutboxCommit(orm: MikroORM, listener: (commit: OutboxCommit) => void): () => void {
  return outboxWrites.listen(orm, (writes) => listener(commitOf(writes)));
}

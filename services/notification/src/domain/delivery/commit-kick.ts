import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { CommitNotes } from '../../../../../lib/db/commit-notes.js';

/**
 * Wakes the sender the moment a transaction that queued an email commits, instead of at its next
 * poll, as the outbox relay is woken by the events a commit wrote (`CommitNotes`). A rolled-back
 * transaction never wakes it; an email queued by a statement outside a transaction (it committed
 * by itself) wakes it at once.
 */
const queuedEmail = new CommitNotes<'email'>();

export function markEmailQueued(em: EntityManager): void {
  queuedEmail.note(em, 'email');
}

/** Calls `listener` after each commit on `orm` that queued an email; returns the unsubscribe. */
export function onEmailQueued(orm: MikroORM, listener: () => void): () => void {
  return queuedEmail.listen(orm, () => listener());
}

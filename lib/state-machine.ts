import { CommonReason } from './error-reasons.js';
import { failedPrecondition } from './errors.js';

/** For each status, the statuses it may change to (a final status maps to `[]`). */
export type TransitionTable<S extends string> = Readonly<Record<S, readonly S[]>>;

/** One status change of one entity, as its history row records it. */
export interface StatusChange<S extends string> {
  id: string;
  from: S;
  to: S;
  /** A user id, or `system` for changes made by the platform (an event, a sweep). */
  changedBy: string;
  note?: string;
}

/** Writes the history row of a change in the caller's transaction. */
export type HistoryWriter<S extends string, Tx> = (tx: Tx, change: StatusChange<S>) => Promise<void>;

/**
 * The statuses of one kind of entity (a product, an order, a payment…): the one table of the
 * changes it allows, and the one way to apply a change: refused with FAILED_PRECONDITION and the
 * reason INVALID_STATUS_TRANSITION unless the table allows it, else written with its history row
 * (entities that keep one) in the same transaction.
 */
export class StateMachine<S extends string, Tx = unknown> {
  constructor(
    /** The entity's name in messages and the reason's metadata (`product`, `order`). */
    readonly entity: string,
    readonly transitions: TransitionTable<S>,
    private readonly writeHistory?: HistoryWriter<S, Tx>,
  ) {}

  allows(from: S, to: S): boolean {
    return this.transitions[from].includes(to);
  }

  /** Throws FAILED_PRECONDITION (INVALID_STATUS_TRANSITION) unless `from → to` is allowed. */
  assertAllowed(id: string, from: S, to: S): void {
    if (this.allows(from, to)) return;
    throw failedPrecondition(
      `${this.entity} ${id} is ${from} and cannot become ${to}`,
      CommonReason.INVALID_STATUS_TRANSITION,
      { entity: this.entity, id, from, to },
    );
  }

  /**
   * Applies a change inside the caller's transaction (the row is expected locked, `from` read under
   * the lock): `write` stores the new status, then the history row is written. An entity already in
   * `to` is left as it is and answers false (a repeated request changes nothing).
   */
  async apply(tx: Tx, change: StatusChange<S>, write: (tx: Tx) => Promise<unknown>): Promise<boolean> {
    if (change.from === change.to) return false;
    this.assertAllowed(change.id, change.from, change.to);
    await write(tx);
    if (this.writeHistory) await this.writeHistory(tx, change);
    return true;
  }
}

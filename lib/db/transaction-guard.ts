import { TransactionContext } from '@mikro-orm/core';

/**
 * True while the current async context runs inside `em.transactional(...)`: MikroORM runs the
 * callback in an AsyncLocalStorage TransactionContext (v6, `utils/TransactionContext`).
 * A transaction opened by hand with `em.begin()` sets no context and is not seen.
 */
export function insideTransaction(): boolean {
  return TransactionContext.currentTransactionContext() !== undefined;
}

/** The bug of waiting on another service while holding a transaction (its locks, a connection). */
export class CallInsideTransactionError extends Error {
  constructor(what: string) {
    super(
      `${what} was called inside a database transaction: the transaction would hold its locks and ` +
        'connection for as long as the other service takes. Call it before or after the transaction.',
    );
    this.name = 'CallInsideTransactionError';
  }
}

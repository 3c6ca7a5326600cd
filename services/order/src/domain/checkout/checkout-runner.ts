import type { MikroORM } from '@mikro-orm/postgresql';
import { executePrepared } from '../../../../../lib/db/prepared-statement.js';
import { currentCallScope, remainingMs, runDetached } from '../../../../../lib/grpc/call-scope.js';
import type { Logger } from '../../../../../lib/log.js';
import { ConcurrencyLimit } from '../../../../../lib/runtime/concurrency-limit.js';
import { checkoutEnding } from './checkout-ending.js';
import type { CheckoutState } from './checkout-state.js';
import {
  DONE,
  runSaga,
  type SagaDefinition,
  type SagaFailure,
  type SagaOutcome,
  type SagaRecord,
} from './saga-runner.js';
import { LeaseLostError, leaseStalledSagas, OrderSagaStore, type SagaLease } from './saga-store.js';

/** How a checkout ended for its caller: the order confirmed (no refusal), or refused with its failure. */
export interface CheckoutOutcome {
  refusal: SagaFailure | null;
}

export interface CheckoutRunnerOptions {
  orm: MikroORM;
  saga: SagaDefinition<CheckoutState>;
  lease: SagaLease;
  logger: Logger;
  /** A checkout's own budget for its calls (steps and compensations), whatever its caller's. */
  sagaDeadlineMs: number;
  /** How long a caller without a deadline waits for the outcome before hearing "in progress". */
  maxWaitMs: number;
  /** Checkouts this replica runs at once; the others wait their turn (a burst queues here). */
  maxConcurrent: number;
}

/**
 * Runs checkouts on this replica: each saga detached from the request that started it (a shopper
 * who hangs up does not stop a payment halfway), at most once per order here and at most
 * `maxConcurrent` at once (a burst of shoppers waits here rather than overloading the five
 * services a checkout calls), and resumes the sagas whose lease ran out (a replica that died, a
 * step suspended by an outage).
 */
export class CheckoutRunner {
  /** The runs going on here, each resolving to its outcome for the caller when it ended (`outcomeFor`). */
  private readonly running = new Map<string, Promise<CheckoutOutcome | undefined>>();
  private readonly store: OrderSagaStore<CheckoutState>;
  private readonly limit: ConcurrencyLimit;

  constructor(private readonly options: CheckoutRunnerOptions) {
    this.store = new OrderSagaStore(options.orm, options.lease, checkoutEnding);
    this.limit = new ConcurrencyLimit(options.maxConcurrent);
  }

  /**
   * Starts this replica's run of a saga it holds the lease of; a run already going is joined.
   * Resolves to the outcome for its caller when the run ended with one (undefined otherwise).
   */
  run(record: SagaRecord<CheckoutState>): Promise<CheckoutOutcome | undefined> {
    const going = this.running.get(record.id);
    if (going) return going;
    const log = this.options.logger.child({ orderId: record.id });
    const run = this.limit
      .run(() =>
        runDetached({ deadlineMs: this.options.sagaDeadlineMs }, () =>
          runSaga(this.options.saga, this.store, record),
        ),
      )
      .then((outcome) => {
        if (outcome.kind === 'suspended')
          log.warn({ reason: outcome.reason }, 'checkout suspended; recovery resumes it');
        else log.debug({ outcome: outcome.kind }, 'checkout ended');
        return outcomeFor(outcome);
      })
      .catch((error: unknown) => {
        if (error instanceof LeaseLostError) log.info('checkout taken over by another replica');
        else log.error({ err: error }, 'checkout stopped; recovery resumes it');
        return undefined;
      })
      .finally(() => this.running.delete(record.id));
    this.running.set(record.id, run);
    return run;
  }

  /** Leases up to `limit` stalled sagas and resumes them here; answers how many. */
  async resumeStalled(limit: number): Promise<number> {
    const records = await leaseStalledSagas<CheckoutState>(this.options.orm, this.options.lease, limit);
    for (const record of records) void this.run(record);
    return records.length;
  }

  /**
   * Waits until the order's checkout has an outcome for its caller, here or on another replica,
   * within the caller's deadline (or `maxWaitMs` without one); answers it, or undefined when the
   * wait ran out. The outcome is known when the saga ended, and also when it is going backward and
   * waits for the recovery loop (a compensation whose service is down): the order is refused, and
   * what it still holds is given back once that service answers again.
   */
  async settled(orderId: string): Promise<CheckoutOutcome | undefined> {
    const until = Date.now() + Math.min(remainingMs(currentCallScope()), this.options.maxWaitMs);
    for (;;) {
      const mine = this.running.get(orderId);
      // A run here that ended has just recorded its outcome: no need to read it back.
      const ended = mine ? await mine : undefined;
      if (ended) return ended;
      const outcome = await this.outcomeOf(orderId);
      if (outcome) return outcome;
      if (Date.now() >= until) return undefined;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Waits for the runs in progress (the process is stopping; the recovery of another replica takes what remains). */
  async stop(): Promise<void> {
    await Promise.allSettled([...this.running.values()]);
  }

  private async outcomeOf(orderId: string): Promise<CheckoutOutcome | undefined> {
    const [saga] = await executePrepared<{
      checkout_step: string;
      checkout_direction: string;
      checkout_suspended_reason: string | null;
      checkout_failure: SagaFailure | null;
    }>(
      this.options.orm.em.fork(),
      'order:checkout-outcome',
      `SELECT checkout_step, checkout_direction, checkout_suspended_reason, checkout_failure
       FROM orders WHERE id = ?`,
      [orderId],
    );
    if (!saga) return undefined;
    const backward = saga.checkout_direction === 'compensating';
    const waitsToUndo = backward && saga.checkout_suspended_reason !== null;
    if (saga.checkout_step !== DONE && !waitsToUndo) return undefined;
    return { refusal: backward ? saga.checkout_failure : null };
  }
}

/**
 * The caller's outcome of a run that ended, as `outcomeOf` would read it back: completed
 * (confirmed) or compensated (refused); a suspended run has none here (the record tells: a
 * compensation waiting for a service still refuses the order).
 */
function outcomeFor(outcome: SagaOutcome<CheckoutState>): CheckoutOutcome | undefined {
  if (outcome.kind === 'completed') return { refusal: null };
  if (outcome.kind === 'compensated') return { refusal: outcome.failure };
  return undefined;
}

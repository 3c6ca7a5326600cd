import type { EntityManager, Knex, MikroORM } from '@mikro-orm/postgresql';
import { executePrepared } from '../../../../../lib/db/prepared-statement.js';
import { aborted } from '../../../../../lib/errors.js';
import {
  DONE,
  type SagaDirection,
  type SagaFailure,
  type SagaRecord,
  type SagaStore,
} from './saga-runner.js';

/**
 * The checkout saga's progress, kept on its order row (orders.checkout_*). Every write is guarded by
 * the lease: it changes the row only while this replica holds it, and renews it; a write that finds
 * the lease gone throws, and the runner stops.
 */
export interface SagaLease {
  /** This replica's name for its leases (one per process). */
  owner: string;
  /** How long a lease lasts after each write; a saga silent for longer is free to take. */
  leaseMs: number;
}

/** What the checkout does in the transaction that ends its saga (confirm, or cancel, the order). */
export interface SagaEnding<S> {
  completed(tx: EntityManager, record: SagaRecord<S>): Promise<void>;
  compensated(tx: EntityManager, record: SagaRecord<S>): Promise<void>;
  /**
   * `completed` and the saga's end (under the lease) in one statement, for the usual case: answers
   * false when it wrote nothing, and the store then ends the saga in a transaction as usual, which
   * decides (a lost lease, a record it cannot write that way).
   */
  completedAtOnce?(em: EntityManager, record: SagaRecord<S>, lease: SagaLease): Promise<boolean>;
}

export class LeaseLostError extends Error {
  constructor(orderId: string) {
    super(`the checkout of order ${orderId} is run by another replica`);
    this.name = 'LeaseLostError';
  }
}

export class OrderSagaStore<S extends object> implements SagaStore<S> {
  constructor(
    private readonly orm: MikroORM,
    private readonly lease: SagaLease,
    private readonly ending: SagaEnding<S>,
  ) {}

  // A change of the saga's columns alone is one statement: it commits on its own, atomically, without
  // the BEGIN and COMMIT round trips of a transaction around it.

  async advance(id: string, nextStep: string, state: S): Promise<void> {
    await this.update(
      this.orm.em.fork(),
      'advance',
      id,
      'checkout_step = ?, checkout_state = ?::jsonb, checkout_suspended_reason = NULL',
      [nextStep, JSON.stringify(state)],
    );
  }

  async startCompensating(id: string, failedStep: string, state: S, failure: SagaFailure): Promise<void> {
    await this.update(
      this.orm.em.fork(),
      'start-compensating',
      id,
      `checkout_direction = 'compensating', checkout_step = ?, checkout_state = ?::jsonb,
       checkout_failure = ?::jsonb, checkout_suspended_reason = NULL`,
      [failedStep, JSON.stringify(state), JSON.stringify(failure)],
    );
  }

  async suspend(id: string, reason: string): Promise<void> {
    // The lease is handed back now rather than at its time, so that the recovery loop tries again soon.
    await this.update(
      this.orm.em.fork(),
      'suspend',
      id,
      'checkout_suspended_reason = ?',
      [reason.slice(0, 1000)],
      'release',
    );
  }

  async complete(record: SagaRecord<S>): Promise<void> {
    if (await this.ending.completedAtOnce?.(this.orm.em.fork(), record, this.lease)) return;
    await this.orm.em.fork().transactional(async (tx) => {
      await this.update(
        tx,
        'complete',
        record.id,
        'checkout_step = ?, checkout_state = ?::jsonb, checkout_suspended_reason = NULL',
        [DONE, JSON.stringify(record.state)],
      );
      await this.ending.completed(tx, record);
    });
  }

  async completeCompensation(record: SagaRecord<S>): Promise<void> {
    await this.orm.em.fork().transactional(async (tx) => {
      await this.update(
        tx,
        'complete-compensation',
        record.id,
        'checkout_step = ?, checkout_suspended_reason = NULL',
        [DONE],
      );
      await this.ending.compensated(tx, record);
    });
  }

  /**
   * One guarded change of the saga's columns: renews the lease (or, `release`, hands it back now so
   * the recovery loop tries again soon); throws when the lease is gone. Each change (`kind`) is
   * always the same text, prepared once per connection: the checkout saves its state this way
   * several times an order.
   */
  private async update(
    em: EntityManager,
    kind: string,
    id: string,
    set: string,
    params: Knex.RawBinding[],
    lease: 'renew' | 'release' = 'renew',
  ): Promise<void> {
    const leaseMs = lease === 'renew' ? this.lease.leaseMs : 0;
    const rows = await executePrepared<{ id: string }>(
      em,
      `order:saga-${kind}`,
      `UPDATE orders SET ${set}, checkout_lease_until = now() + (?::int * interval '1 millisecond'), updated_at = now()
       WHERE id = ? AND checkout_lease_owner = ? AND checkout_step <> 'done'
       RETURNING id`,
      [...params, leaseMs, id, this.lease.owner],
    );
    if (rows.length === 0) throw new LeaseLostError(id);
  }
}

interface SagaRow {
  id: string;
  checkout_step: string;
  checkout_direction: SagaDirection;
  checkout_state: unknown;
  checkout_failure: unknown;
}

/**
 * Takes up to `limit` unfinished sagas whose lease ran out (a replica died, or a step was
 * suspended) and leases them to `lease.owner`. Replicas that scan at once take different rows
 * (SKIP LOCKED), so each saga is resumed by one of them. Unfinished sagas are found among the
 * pending orders (`orders_pending_idx`): an order stays pending exactly while its checkout runs,
 * and no index names the saga's columns, so that its saves are written in place.
 */
export async function leaseStalledSagas<S>(
  orm: MikroORM,
  lease: SagaLease,
  limit: number,
): Promise<SagaRecord<S>[]> {
  const rows = await orm.em.fork().transactional((tx) =>
    tx.execute<SagaRow[]>(
      `UPDATE orders SET checkout_lease_owner = ?, checkout_lease_until = now() + (? * interval '1 millisecond')
       WHERE id IN (
         SELECT id FROM orders
         WHERE status = 'pending' AND checkout_step <> 'done' AND checkout_lease_until < now()
         ORDER BY checkout_lease_until
         LIMIT ?
         FOR UPDATE SKIP LOCKED)
       RETURNING id, checkout_step, checkout_direction, checkout_state, checkout_failure`,
      [lease.owner, lease.leaseMs, limit],
    ),
  );
  return rows.map((row) => recordOf<S>(row));
}

/** The saga of one order as stored, for a runner that holds its lease. */
export async function sagaRecordOf<S>(em: EntityManager, orderId: string): Promise<SagaRecord<S>> {
  const rows = await em.execute<SagaRow[]>(
    'SELECT id, checkout_step, checkout_direction, checkout_state, checkout_failure FROM orders WHERE id = ?',
    [orderId],
  );
  const row = rows[0];
  if (!row) throw aborted(`order ${orderId} is gone`);
  return recordOf<S>(row);
}

function recordOf<S>(row: SagaRow): SagaRecord<S> {
  return {
    id: row.id,
    step: row.checkout_step,
    direction: row.checkout_direction,
    state: parsedJson(row.checkout_state) as S,
    failure: (parsedJson(row.checkout_failure) as SagaFailure | null) ?? null,
  };
}

/** jsonb comes back parsed from pg and as text from some drivers. */
function parsedJson(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

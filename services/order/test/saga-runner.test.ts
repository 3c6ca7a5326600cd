import { status } from '@grpc/grpc-js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { expect } from 'chai';
import { failedPrecondition, unavailable } from '../../../lib/errors.js';
import { newId } from '../../../lib/ids.js';
import { openScratchDatabase, type ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import {
  DONE,
  runSaga,
  type SagaDefinition,
  type SagaRecord,
  type SagaStep,
} from '../src/domain/checkout/saga-runner.js';
import {
  LeaseLostError,
  leaseStalledSagas,
  OrderSagaStore,
  sagaRecordOf,
  type SagaEnding,
  type SagaLease,
} from '../src/domain/checkout/saga-store.js';
import { orderEntities } from '../src/entities/index.js';
import { orderMigrations } from '../src/migrations/index.js';

interface State {
  done: string[];
}

/**
 * A remote service as the saga sees it: effects keyed by the saga's id, so running a step again
 * (after a crash) finds its first effect instead of making a second; `refuse` and `down` make it
 * answer as a real one would.
 */
class Remote {
  readonly effects = new Map<string, number>();
  readonly undone = new Map<string, number>();
  calls = 0;
  refuse = false;
  downFor = 0;
  undoDownFor = 0;

  async apply(sagaId: string): Promise<void> {
    this.calls += 1;
    if (this.downFor > 0) {
      this.downFor -= 1;
      throw unavailable('remote unavailable');
    }
    if (this.refuse) throw failedPrecondition('refused by remote', 'OUT_OF_STOCK', { variant_ids: 'v1' });
    this.effects.set(sagaId, 1);
  }

  async undo(sagaId: string): Promise<void> {
    if (this.undoDownFor > 0) {
      this.undoDownFor -= 1;
      throw unavailable('remote unavailable');
    }
    if (this.effects.delete(sagaId)) this.undone.set(sagaId, (this.undone.get(sagaId) ?? 0) + 1);
  }
}

function stepOn(
  name: string,
  remote: Remote,
  sagaId: () => string,
  { compensable = true, checkpoint = false } = {},
): SagaStep<State> {
  return {
    name,
    checkpoint,
    async run(state) {
      await remote.apply(sagaId());
      return { done: [...state.done, name] };
    },
    ...(compensable ? { compensate: () => remote.undo(sagaId()) } : {}),
  };
}

describe('the checkout saga runner (progress saved on the order, steps resumed after a crash)', () => {
  let db: ScratchDatabase;
  const lease: SagaLease = { owner: 'replica-a', leaseMs: 60_000 };
  let remotes: Record<'stock' | 'shipping' | 'payment' | 'confirm', Remote>;
  let orderId: string;
  let endings: { completed: SagaRecord<State>[]; compensated: SagaRecord<State>[] };

  const ending: SagaEnding<State> = {
    async completed(_tx: EntityManager, record) {
      endings.completed.push(record);
    },
    async compensated(_tx: EntityManager, record) {
      endings.compensated.push(record);
    },
  };

  function definition(
    attemptsPerStep = 3,
    checkpoints = ['confirm_shipping', 'capture'],
  ): SagaDefinition<State> {
    const checkpoint = (name: string) => checkpoints.includes(name);
    return {
      steps: [
        stepOn('reserve_stock', remotes.stock, () => orderId, { checkpoint: checkpoint('reserve_stock') }),
        stepOn('confirm_shipping', remotes.shipping, () => orderId, {
          compensable: false,
          checkpoint: checkpoint('confirm_shipping'),
        }),
        stepOn('capture', remotes.payment, () => orderId, { checkpoint: checkpoint('capture') }),
        stepOn('confirm', remotes.confirm, () => orderId, { compensable: false }),
      ],
      pivot: 'capture',
      attemptsPerStep,
      retryDelayMs: () => 1,
    };
  }

  async function newSaga(owner = lease.owner, leaseMs = lease.leaseMs): Promise<SagaRecord<State>> {
    const id = newId();
    await db.orm.em.fork().execute(
      `INSERT INTO orders (id, order_number, user_id, subtotal, total_amount, currency, idempotency_scope,
         idempotency_key, request_hash, checkout_step, checkout_state, checkout_lease_owner, checkout_lease_until)
       VALUES (?, ?, ?, 10, 10, 'EUR', 'user:saga-test', ?, 'h', 'reserve_stock', '{"done":[]}', ?,
         now() + (? * interval '1 millisecond'))`,
      [id, `T-${id}`, newId(), `key-${id}`, owner, leaseMs],
    );
    orderId = id;
    return sagaRecordOf<State>(db.orm.em.fork(), id);
  }

  before(async () => {
    db = await openScratchDatabase('saga_runner', { entities: orderEntities, migrations: orderMigrations });
  });
  after(() => db?.drop());
  beforeEach(() => {
    remotes = { stock: new Remote(), shipping: new Remote(), payment: new Remote(), confirm: new Remote() };
    endings = { completed: [], compensated: [] };
  });

  it('runs every step once, in order, saves the state at its checkpoints, and ends the saga once', async () => {
    const store = new OrderSagaStore(db.orm, lease, ending);
    const outcome = await runSaga(definition(), store, await newSaga());

    expect(outcome.kind).to.equal('completed');
    expect(outcome.state.done).to.deep.equal(['reserve_stock', 'confirm_shipping', 'capture', 'confirm']);
    expect(endings.completed).to.have.length(1);
    const stored = await sagaRecordOf<State>(db.orm.em.fork(), orderId);
    expect(stored.step).to.equal(DONE);
    expect(stored.state.done).to.deep.equal(['reserve_stock', 'confirm_shipping', 'capture', 'confirm']);
    for (const remote of Object.values(remotes)) expect(remote.effects.get(orderId)).to.equal(1);
  });

  it('on a refusal compensates every step up to the refused one, the last first, and records why', async () => {
    remotes.payment.refuse = true;
    const store = new OrderSagaStore(db.orm, lease, ending);
    const outcome = await runSaga(definition(), store, await newSaga());

    expect(outcome.kind).to.equal('compensated');
    if (outcome.kind !== 'compensated') return;
    expect(outcome.failure).to.include({ code: status.FAILED_PRECONDITION, reason: 'OUT_OF_STOCK' });
    expect(outcome.failure.metadata).to.deep.equal({ variant_ids: 'v1' });
    expect(remotes.stock.undone.get(orderId)).to.equal(1);
    expect(remotes.stock.effects.has(orderId)).to.equal(false);
    expect(remotes.confirm.calls, 'no step after the refused one runs').to.equal(0);
    expect(endings.compensated).to.have.length(1);
    expect(endings.completed).to.have.length(0);
    const stored = await sagaRecordOf<State>(db.orm.em.fork(), orderId);
    expect(stored).to.include({ step: DONE, direction: 'compensating' });
    expect(stored.failure).to.include({ reason: 'OUT_OF_STOCK' });
  });

  it('tries a step again while its dependency is briefly unavailable', async () => {
    remotes.shipping.downFor = 2;
    const store = new OrderSagaStore(db.orm, lease, ending);
    const outcome = await runSaga(definition(3), store, await newSaga());

    expect(outcome.kind).to.equal('completed');
    expect(remotes.shipping.calls).to.equal(3);
  });

  it('before the pivot, a dependency that stays down compensates (nothing is held for a checkout that cannot finish)', async () => {
    remotes.shipping.downFor = 10;
    const store = new OrderSagaStore(db.orm, lease, ending);
    const outcome = await runSaga(definition(3), store, await newSaga());

    expect(outcome.kind).to.equal('compensated');
    if (outcome.kind !== 'compensated') return;
    expect(outcome.failure.code).to.equal(status.UNAVAILABLE);
    expect(remotes.stock.effects.has(orderId)).to.equal(false);
    expect(remotes.payment.calls).to.equal(0);
  });

  it('a compensation whose service stays down does not hold back the others, and the recovery finishes it from the refused step', async () => {
    remotes.confirm.refuse = true;
    remotes.payment.undoDownFor = 3;
    const store = new OrderSagaStore(db.orm, lease, ending);
    // No checkpoint: nothing was saved since the start, so the refused step is saved with the refusal.
    const outcome = await runSaga(definition(3, []), store, await newSaga());

    expect(outcome.kind).to.equal('suspended');
    expect(remotes.stock.effects.has(orderId), 'the stock is given back at once').to.equal(false);
    expect(remotes.payment.effects.get(orderId), 'the refund waits for the payment service').to.equal(1);
    const stored = await sagaRecordOf<State>(db.orm.em.fork(), orderId);
    expect(stored).to.include({ direction: 'compensating', step: 'confirm' });
    expect(stored.failure).to.include({ reason: 'OUT_OF_STOCK' });
    expect(endings.compensated).to.have.length(0);

    const recovery: SagaLease = { owner: 'replica-b', leaseMs: 60_000 };
    const stalled = await leaseStalledSagas<State>(db.orm, recovery, 100);
    const mine = stalled.filter((record) => record.id === orderId);
    const resumed = await runSaga(definition(3, []), new OrderSagaStore(db.orm, recovery, ending), mine[0]!);
    expect(resumed.kind).to.equal('compensated');
    expect(remotes.payment.effects.has(orderId)).to.equal(false);
    expect(remotes.stock.undone.get(orderId), 'undone once').to.equal(1);
    expect(endings.compensated).to.have.length(1);
  });

  it('after the pivot, a dependency that stays down suspends the saga (never refunds for an outage) and the recovery finishes it', async () => {
    remotes.confirm.downFor = 10;
    const store = new OrderSagaStore(db.orm, lease, ending);
    const outcome = await runSaga(definition(3), store, await newSaga());

    expect(outcome.kind).to.equal('suspended');
    expect(remotes.payment.effects.get(orderId), 'the capture stands').to.equal(1);
    expect(remotes.payment.undone.has(orderId)).to.equal(false);
    const stored = await sagaRecordOf<State>(db.orm.em.fork(), orderId);
    expect(stored).to.include({ step: 'confirm', direction: 'forward' });

    remotes.confirm.downFor = 0;
    const recovery: SagaLease = { owner: 'replica-b', leaseMs: 60_000 };
    const stalled = await leaseStalledSagas<State>(db.orm, recovery, 100);
    const mine = stalled.filter((record) => record.id === orderId);
    expect(mine).to.have.length(1);
    const resumed = await runSaga(definition(), new OrderSagaStore(db.orm, recovery, ending), mine[0]!);
    expect(resumed.kind).to.equal('completed');
    expect(remotes.payment.calls, 'the capture is not sent again').to.equal(1);
    expect(endings.completed).to.have.length(1);
  });

  it('saves in place: no index of orders names a column the saga’s saves change, and its pages keep room', async () => {
    const em = db.orm.em.fork();
    const indexes = await em.execute<{ definition: string }[]>(
      "SELECT pg_get_indexdef(indexrelid) AS definition FROM pg_index WHERE indrelid = 'orders'::regclass",
    );
    expect(indexes.length).to.be.greaterThan(5);
    for (const { definition } of indexes) {
      expect(definition).to.not.match(/checkout_|updated_at/);
    }
    const [table] = await em.execute<{ options: string[] | string | null }[]>(
      "SELECT reloptions AS options FROM pg_class WHERE oid = 'orders'::regclass",
    );
    expect(String(table!.options)).to.include('fillfactor=70');
  });

  // Where the recovery resumes: after the last checkpoint saved before the kill.
  const resumesAt = {
    reserve_stock: 'reserve_stock',
    confirm_shipping: 'reserve_stock',
    capture: 'capture',
    confirm: 'confirm',
  };
  for (const [killedAfter, resumedAt] of Object.entries(resumesAt)) {
    it(`a process killed right after ${killedAfter} ran (before the next save) is resumed by another replica from its last checkpoint, every effect once`, async () => {
      const shortLease: SagaLease = { owner: 'doomed', leaseMs: 20 };
      const store = new OrderSagaStore(db.orm, shortLease, ending);
      const killed = new Error('process killed');
      // The process dies between the step's remote effect and the transaction that records it.
      const dying: OrderSagaStore<State> = Object.create(store);
      dying.advance = async (id, nextStep, state) => {
        if (state.done.includes(killedAfter)) throw killed;
        return store.advance(id, nextStep, state);
      };
      dying.complete = async (record) => {
        if (killedAfter === 'confirm') throw killed;
        return store.complete(record);
      };
      const first = await newSaga(shortLease.owner, shortLease.leaseMs);
      const error = await runSaga(definition(), dying, first).catch((e: unknown) => e);
      expect(error).to.equal(killed);

      await new Promise((resolve) => setTimeout(resolve, 40));
      const recovery: SagaLease = { owner: 'survivor', leaseMs: 60_000 };
      const mine = (await leaseStalledSagas<State>(db.orm, recovery, 100)).filter((r) => r.id === orderId);
      expect(mine).to.have.length(1);
      expect(mine[0]!.step, 'resumed after the last checkpoint').to.equal(resumedAt);
      const outcome = await runSaga(definition(), new OrderSagaStore(db.orm, recovery, ending), mine[0]!);

      expect(outcome.kind).to.equal('completed');
      for (const remote of Object.values(remotes)) expect(remote.effects.get(orderId)).to.equal(1);
      expect(endings.completed).to.have.length(1);
    });
  }

  it('a live lease is never taken, and a replica whose lease was taken over stops at its next save', async () => {
    const slow: SagaLease = { owner: 'slow', leaseMs: 20 };
    const record = await newSaga(slow.owner, slow.leaseMs);
    const other: SagaLease = { owner: 'other', leaseMs: 60_000 };
    const whileLive = (await leaseStalledSagas<State>(db.orm, { ...other, leaseMs: 60_000 }, 100)).filter(
      (r) => r.id === orderId,
    );
    expect(whileLive, 'the lease was still live').to.have.length(0);

    await new Promise((resolve) => setTimeout(resolve, 40));
    expect((await leaseStalledSagas<State>(db.orm, other, 100)).some((r) => r.id === orderId)).to.equal(true);
    const error = await runSaga(definition(), new OrderSagaStore(db.orm, slow, ending), record).catch(
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(LeaseLostError);
    expect(remotes.payment.calls, 'it stopped at the checkpoint it could not save').to.equal(0);
  });
});

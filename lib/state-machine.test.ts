import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { failureOf } from './testing/app-error.js';
import { StateMachine, type StatusChange } from './state-machine.js';

type OrderStatus = 'pending' | 'confirmed' | 'shipped' | 'cancelled';

/** What one transaction wrote, in order. */
interface Tx {
  writes: string[];
}

function orderMachine() {
  return new StateMachine<OrderStatus, Tx>(
    'order',
    { pending: ['confirmed', 'cancelled'], confirmed: ['shipped', 'cancelled'], shipped: [], cancelled: [] },
    async (tx, change: StatusChange<OrderStatus>) => {
      tx.writes.push(
        `history ${change.from}→${change.to} by ${change.changedBy}${change.note ? `: ${change.note}` : ''}`,
      );
    },
  );
}

describe('StateMachine', () => {
  it('applies an allowed change: the status write, then its history row, in the same transaction', async () => {
    const tx: Tx = { writes: [] };
    const changed = await orderMachine().apply(
      tx,
      { id: 'o-1', from: 'pending', to: 'confirmed', changedBy: 'u-1', note: 'paid' },
      async (t) => void t.writes.push('status confirmed'),
    );
    expect(changed).to.equal(true);
    expect(tx.writes).to.deep.equal(['status confirmed', 'history pending→confirmed by u-1: paid']);
  });

  it('refuses a change the table does not allow with FAILED_PRECONDITION and INVALID_STATUS_TRANSITION, writing nothing', async () => {
    const tx: Tx = { writes: [] };
    const error = await failureOf(
      orderMachine().apply(
        tx,
        { id: 'o-1', from: 'shipped', to: 'cancelled', changedBy: 'system' },
        async (t) => {
          t.writes.push('status cancelled');
        },
      ),
    );
    expect(error.code).to.equal(status.FAILED_PRECONDITION);
    expect(error.message).to.equal('order o-1 is shipped and cannot become cancelled');
    expect(error.reason).to.equal('INVALID_STATUS_TRANSITION');
    expect(error.metadata).to.deep.equal({ entity: 'order', id: 'o-1', from: 'shipped', to: 'cancelled' });
    expect(tx.writes).to.deep.equal([]);
  });

  it('answers a change to the status it already has with false and writes nothing (a repeated request)', async () => {
    const tx: Tx = { writes: [] };
    const changed = await orderMachine().apply(
      tx,
      { id: 'o-1', from: 'shipped', to: 'shipped', changedBy: 'system' },
      async (t) => void t.writes.push('status shipped'),
    );
    expect(changed).to.equal(false);
    expect(tx.writes).to.deep.equal([]);
  });

  it('writes no history for an entity without a history table', async () => {
    const machine = new StateMachine<'draft' | 'active', Tx>('product', { draft: ['active'], active: [] });
    const tx: Tx = { writes: [] };
    await machine.apply(tx, { id: 'p-1', from: 'draft', to: 'active', changedBy: 'u-1' }, async (t) => {
      t.writes.push('status active');
    });
    expect(tx.writes).to.deep.equal(['status active']);
    expect(machine.allows('active', 'draft')).to.equal(false);
  });
});

import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { failedPrecondition } from '../errors.js';
import { failureOf } from '../testing/app-error.js';
import { openScratchDatabase, type ScratchDatabase } from '../testing/scratch-database.js';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  IDEMPOTENCY_RETENTION_DAYS,
  runOnce,
} from './idempotency-keys.js';

describe('idempotency keys (infra.idempotency_keys)', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;
  let n = 0;
  const newKey = () => `key-${++n}-${Date.now().toString(36)}`;

  before(async () => {
    db = await openScratchDatabase('idempotency_keys');
  });
  after(() => db?.drop());

  const stored = async (key: string) =>
    db.orm.em
      .fork()
      .execute<{ status: string }[]>('SELECT status FROM infra.idempotency_keys WHERE key = ?', [key]);

  it('does the work once: a repeat of the same request gets the first answer, as stored', async () => {
    const key = newKey();
    let runs = 0;
    const call = () =>
      runOnce(db.orm.em.fork(), { scope: 'test', key, request: { amount: 5 } }, async () => ({
        id: `result-${++runs}`,
        at: new Date('2026-12-05T10:00:00Z'),
      }));
    const first = await call();
    const again = await call();
    expect(runs).to.equal(1);
    expect(first).to.deep.equal({ id: 'result-1', at: '2026-12-05T10:00:00.000Z' });
    expect(again).to.deep.equal(first);
    expect(await stored(key)).to.deep.equal([{ status: 'completed' }]);
    // The purge goes by expires_at: seven days after the claim.
    const [row] = await db.orm.em
      .fork()
      .execute<{ days: number }[]>(
        `SELECT extract(epoch FROM expires_at - created_at)::int / 86400 AS days FROM infra.idempotency_keys WHERE key = ?`,
        [key],
      );
    expect(row!.days).to.equal(IDEMPOTENCY_RETENTION_DAYS);
    expect(IDEMPOTENCY_RETENTION_DAYS).to.equal(7);
  });

  it('refuses the same key with a different request: FAILED_PRECONDITION naming the key, nothing done', async () => {
    const key = newKey();
    await runOnce(db.orm.em.fork(), { scope: 'test', key, request: { amount: 5 } }, async () => 'first');
    let ran = false;
    const reused = await failureOf(
      runOnce(db.orm.em.fork(), { scope: 'test', key, request: { amount: 6 } }, async () => {
        ran = true;
        return 'second';
      }),
    );
    expect(reused.code).to.equal(status.FAILED_PRECONDITION);
    expect(reused.message).to.equal(`idempotency key ${key} was already used for a different request`);
    expect(ran).to.equal(false);
    const elsewhere = await runOnce(
      db.orm.em.fork(),
      { scope: 'other-owner', key, request: { amount: 6 } },
      async () => 'other scope',
    );
    expect(elsewhere).to.equal('other scope');
  });

  it('keeps nothing of a request that failed, so its retry is judged afresh', async () => {
    const key = newKey();
    const failure = await failureOf(
      runOnce(db.orm.em.fork(), { scope: 'test', key, request: 1 }, async () => {
        throw failedPrecondition('not enough stock');
      }),
    );
    expect(failure.message).to.equal('not enough stock');
    expect(await stored(key)).to.deep.equal([]);
    expect(await runOnce(db.orm.em.fork(), { scope: 'test', key, request: 1 }, async () => 'now')).to.equal(
      'now',
    );
  });

  it('runs the work once for 20 identical requests at once', async () => {
    const key = newKey();
    let runs = 0;
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        runOnce(db.orm.em.fork(), { scope: 'test', key, request: { lines: [1, 2] } }, async () => ++runs),
      ),
    );
    expect(runs).to.equal(1);
    expect(new Set(answers)).to.deep.equal(new Set([1]));
  });

  it('answers ABORTED while a claim committed in progress is not completed, then the stored answer', async () => {
    const key = newKey();
    const request = { scope: 'provider-call', key, request: { amount: 7 } };
    const claim = await db.orm.em.fork().transactional((tx) => claimIdempotencyKey(tx, request));
    expect(claim).to.deep.equal({ state: 'claimed' });
    const pending = await failureOf(db.orm.em.fork().transactional((tx) => claimIdempotencyKey(tx, request)));
    expect(pending.code).to.equal(status.ABORTED);
    expect(pending.message).to.equal(`a request with idempotency key ${key} is still in progress; retry`);
    await db.orm.em
      .fork()
      .transactional((tx) => completeIdempotencyKey(tx, 'provider-call', key, { ok: true }));
    expect(await db.orm.em.fork().transactional((tx) => claimIdempotencyKey(tx, request))).to.deep.equal({
      state: 'completed',
      answer: { ok: true },
    });
  });
});

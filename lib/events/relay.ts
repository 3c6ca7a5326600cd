import type { EntityManager, MikroORM } from '../db/orm.js';
import { rootLogger, type Logger } from '../log.js';
import { executePrepared } from '../db/prepared-statement.js';
import { toBytes } from './bytes.js';
import { describeError } from './dead-letters.js';
import {
  outboxBacklog,
  outboxOldestAge,
  outboxParked,
  outboxPublished,
  outboxPublishFailures,
} from './metrics.js';
import { onOutboxCommit } from './outbox-commit.js';
import type { OutboxRow as ReservedRow } from './outbox.js';
import type { EventTransport } from './transport.js';

export interface OutboxRelayOptions {
  orm: MikroORM;
  transport: EventTransport;
  /** The publishing service (metrics and logs). */
  source: string;
  logger?: Logger;
  /** Rows claimed and published per round. Default 100. */
  batchSize?: number;
  /**
   * Poll interval when there is nothing to do (commits wake the relay sooner). Default 250 ms,
   * doubling while the outbox stays empty up to `maxIdlePollMs` (default 2 s).
   */
  idlePollMs?: number;
  maxIdlePollMs?: number;
  /** Longest pause after failures (the pause doubles from 100 ms). Default 5 s. */
  maxBackoffMs?: number;
  /** How long a claimed batch stays reserved for this relay. Default 60 s. */
  leaseMs?: number;
  /**
   * Failed publishes after which a row no longer holds back the rows after it; it is parked
   * (`parked_at`) if it still fails right after one of them went out. Default 10.
   */
  maxAttempts?: number;
  /** Backlog gauges refresh. Default 5 s. */
  metricsEveryMs?: number;
}

interface OutboxRow {
  id: string;
  subject: string;
  envelope: Uint8Array | string;
  created_at: Date | string;
}

/*
 * Claiming a batch is one statement (no transaction is held while publishing, which matters on
 * PGlite's single connection): the oldest unpublished rows that nobody holds get a short lease.
 * Another replica skips leased rows (and rows being leased right now: SKIP LOCKED), so two relays
 * on one database never publish the same row unless a lease ran out. A crashed relay's lease just
 * expires. It and the relay's two other statements run after every commit that wrote an event, so
 * they are prepared once per connection (`executePrepared`): planning them afresh cost more than
 * running them.
 */
const CLAIM_SQL = `
  UPDATE infra.outbox AS o SET claimed_until = now() + make_interval(secs => ?)
  FROM (
    SELECT id FROM infra.outbox
    WHERE published_at IS NULL AND parked_at IS NULL AND (claimed_until IS NULL OR claimed_until < now())
    ORDER BY created_at, id
    LIMIT ?
    FOR UPDATE SKIP LOCKED
  ) AS next
  WHERE o.id = next.id
  RETURNING o.id, o.subject, o.envelope, o.created_at`;

/**
 * Publishes what `publishEvent` wrote to `infra.outbox`, oldest first, at least once.
 *
 * - A commit that wrote an event wakes the relay at once (`onOutboxCommit`); polling is the safety
 *   net (events written by another process, missed wake-ups): every `idlePollMs`, slowing down to
 *   `maxIdlePollMs` while nothing comes, so ten idle services do not keep their databases busy.
 *   Only a full batch is followed at once by another claim: after a smaller one the outbox was
 *   empty at the claim, and what commits since wakes the relay.
 * - A row written by a statement of its own (`insertOutboxRowFrom`) is written reserved for this
 *   process, as if claimed, and handed to the relay at the commit (`outboxWritten`): it is published
 *   and marked without a claim. Rows a commit only marked (`publishEvent`) are claimed first, being
 *   older. If publishing a handed row fails, every handed row not yet out is let go (its
 *   reservation cleared) and goes the claimed way, in order; a crash leaves them reserved until
 *   their lease (`RESERVED_ROW_LEASE_SECONDS`) runs out, and then another relay takes them.
 * - On a failed publish the row's `attempts`/`last_error` are recorded, the rest of the batch is
 *   released, and the relay pauses (exponential, capped): the failed event goes first next time,
 *   so order is kept.
 * - A row that has failed `maxAttempts` times no longer stops the batch: the relay goes on to the
 *   next rows. Once one of them is published the transport works, and the failing row is tried
 *   once more at once: if it fails again it is the problem itself, and it is parked (`parked_at`,
 *   counted in `events_outbox_parked_total`, logged at error level): it never blocks its service's
 *   stream again. While every row fails the transport is down (NATS gone): nothing is parked, the
 *   relay pauses and retries as above. A parked row goes out again once an operator clears its
 *   `parked_at`; the events after it have gone out before it.
 * - A row is marked published only after the transport accepted it; a crash in between publishes
 *   it again, which JetStream's duplicate window (event id = message id) and the inboxes absorb.
 * - With several replicas, order holds within each claimed batch; consumers must not rely on a
 *   global order (redeliveries reorder anyway).
 */
export class OutboxRelay {
  private readonly orm: MikroORM;
  private readonly transport: EventTransport;
  private readonly source: string;
  private readonly log: Logger;
  private readonly batchSize: number;
  private readonly idlePollMs: number;
  private readonly maxIdlePollMs: number;
  private readonly maxBackoffMs: number;
  private readonly leaseMs: number;
  private readonly maxAttempts: number;
  private readonly metricsEveryMs: number;
  private loop: Promise<void> | undefined;
  private stopping = false;
  /** A claim is due: a commit marked the outbox, a poll is due, or the last round failed. */
  private claimDue = true;
  /** Rows handed over at their commit, reserved for this relay, in commit order. */
  private handedOver: ReservedRow[] = [];
  private lastClaimAt = 0;
  private wake: (() => void) | undefined;
  private failures = 0;
  private idleRounds = 0;
  private lastMetrics = 0;
  private unsubscribe: (() => void) | undefined;

  constructor(options: OutboxRelayOptions) {
    this.orm = options.orm;
    this.transport = options.transport;
    this.source = options.source;
    this.log = (options.logger ?? rootLogger).child({ component: 'outbox-relay', source: options.source });
    this.batchSize = options.batchSize ?? 100;
    this.idlePollMs = options.idlePollMs ?? 250;
    this.maxIdlePollMs = Math.max(this.idlePollMs, options.maxIdlePollMs ?? 2_000);
    this.maxBackoffMs = options.maxBackoffMs ?? 5_000;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 10);
    this.metricsEveryMs = options.metricsEveryMs ?? 5_000;
  }

  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.unsubscribe = onOutboxCommit(this.orm, ({ reserved, claimable }) => {
      this.handedOver.push(...reserved);
      if (claimable) this.kick();
      else this.wake?.();
    });
    this.loop = this.run();
  }

  /** Look at the outbox now rather than at the next poll. */
  kick(): void {
    this.claimDue = true;
    this.wake?.();
  }

  /**
   * Finishes the batch in flight, then stops. A publish that cannot finish within `graceMs` (an
   * in-process consumer already stopped, NATS gone) is abandoned: its row stays unpublished and
   * its lease runs out, so it goes out again later.
   */
  async stop(graceMs = 5_000): Promise<void> {
    this.stopping = true;
    this.unsubscribe?.();
    this.wake?.();
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = await Promise.race([
      this.loop?.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), graceMs);
      }),
    ]);
    clearTimeout(timer);
    if (gaveUp) this.log.warn({ graceMs }, 'outbox relay stopped with a publish still in flight');
    else await this.letGoOfHandedOver(this.orm.em.fork()).catch(() => undefined);
    this.loop = undefined;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let outcome: 'idle' | 'drained' | 'more' | 'failed';
      try {
        // Rows handed over wait for a claim that is due (those rows are older), and the poll
        // still runs while they keep coming (rows of a crashed replica whose reservation ran out).
        if (
          this.claimDue ||
          this.handedOver.length === 0 ||
          Date.now() - this.lastClaimAt > this.maxIdlePollMs
        ) {
          this.claimDue = false;
          this.lastClaimAt = Date.now();
          outcome = await this.publishBatch();
        } else {
          outcome = await this.publishHandedOver();
        }
      } catch (error) {
        if (this.stopping) break;
        this.log.error({ err: error }, 'outbox relay round failed');
        outcome = 'failed';
      }
      await this.housekeeping();
      if (this.stopping) break;
      if (outcome === 'failed') {
        this.failures++;
        // The claimed way from now on, in order: the rows handed over go back to the outbox.
        await this.letGoOfHandedOver(this.orm.em.fork()).catch(() => undefined);
        await this.pause(Math.min(this.maxBackoffMs, 100 * 2 ** (this.failures - 1)), false);
        this.claimDue = true;
      } else {
        this.failures = 0;
        this.idleRounds = outcome === 'idle' ? this.idleRounds + 1 : 0;
        // Only a full batch may have more behind it. After a smaller one the outbox was empty at the
        // claim, and whatever commits since wakes the relay (as an empty claim would have found).
        if (outcome === 'more') this.claimDue = true;
        else await this.pause(this.idlePause(), true);
      }
    }
  }

  /** The wait before the next look at an empty outbox: doubles per empty round, up to the cap. */
  private idlePause(): number {
    return Math.min(
      this.maxIdlePollMs,
      this.idlePollMs * 2 ** Math.min(Math.max(this.idleRounds - 1, 0), 16),
    );
  }

  /**
   * Claims a batch and publishes it: `idle` when there was nothing, `drained` when it published a
   * batch smaller than its size, `more` when the batch was full or rows were let go unpublished,
   * `failed` when a publish failed.
   */
  private async publishBatch(): Promise<'idle' | 'drained' | 'more' | 'failed'> {
    const em = this.orm.em.fork();
    const claimedAt = Date.now();
    const rows = await executePrepared<OutboxRow>(em, 'outbox:claim', CLAIM_SQL, [
      this.leaseMs / 1000,
      this.batchSize,
    ]);
    if (rows.length === 0) return 'idle';
    rows.sort(
      (a, b) => new Date(a.created_at).getTime() - new Date(b.created_at).getTime() || (a.id < b.id ? -1 : 1),
    );
    const published: string[] = [];
    // Rows past their attempts that failed in this round: tried again once a later row goes out.
    const suspects: OutboxRow[] = [];
    let failed = false;
    for (const row of rows) {
      // Let go before the lease runs out rather than risk another replica publishing the rest too.
      if (Date.now() - claimedAt > this.leaseMs * 0.8) break;
      try {
        await this.transport.publish(row.subject, toBytes(row.envelope), row.id);
        published.push(row.id);
      } catch (error) {
        failed = true;
        if ((await this.recordFailure(em, row, error)) < this.maxAttempts) break;
        suspects.push(row);
        continue;
      }
      // The transport just took an event: a suspect that still fails now is the problem itself.
      for (const suspect of suspects.splice(0)) {
        try {
          await this.transport.publish(suspect.subject, toBytes(suspect.envelope), suspect.id);
          published.push(suspect.id);
        } catch (error) {
          await this.recordFailure(em, suspect, error);
          await this.park(em, suspect);
        }
      }
    }
    await this.markPublished(em, published);
    const released = rows.filter((row) => !published.includes(row.id)).map((row) => row.id);
    // A suspect left over (no later row went out) is released with the rest and tried again.
    await this.release(em, released);
    if (failed) return 'failed';
    return rows.length === this.batchSize || released.length > 0 ? 'more' : 'drained';
  }

  /**
   * Publishes the rows handed over at their commit, in commit order, and marks them published in
   * one statement: no claim (they were written reserved for this relay). On a failed publish the
   * failure is recorded on the row and `failed` answered; the run loop lets go of the rest.
   */
  private async publishHandedOver(): Promise<'drained' | 'failed'> {
    const em = this.orm.em.fork();
    const published: string[] = [];
    let failed = false;
    while (this.handedOver.length > 0 && published.length < this.batchSize) {
      const row = this.handedOver[0]!;
      try {
        await this.transport.publish(row.subject, row.envelope, row.id);
      } catch (error) {
        failed = true;
        await this.recordFailure(em, row, error);
        break;
      }
      this.handedOver.shift();
      published.push(row.id);
    }
    await this.markPublished(em, published);
    return failed ? 'failed' : 'drained';
  }

  /** Clears the reservation of the rows handed over and not yet published: a claim takes them now. */
  private async letGoOfHandedOver(em: EntityManager): Promise<void> {
    await this.release(
      em,
      this.handedOver.splice(0).map((row) => row.id),
    );
  }

  /** Marks these rows published (and counts them), in one statement. */
  private async markPublished(em: EntityManager, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await executePrepared(
      em,
      'outbox:published',
      'UPDATE infra.outbox SET published_at = now(), claimed_until = NULL WHERE id = ANY(?::uuid[])',
      [ids],
    );
    outboxPublished.inc({ source: this.source }, ids.length);
  }

  /** Clears the claim (or reservation) of these unpublished rows, in one statement: any relay may take them. */
  private async release(em: EntityManager, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await executePrepared(
      em,
      'outbox:released',
      'UPDATE infra.outbox SET claimed_until = NULL WHERE id = ANY(?::uuid[])',
      [ids],
    );
  }

  private async housekeeping(): Promise<void> {
    const now = Date.now();
    try {
      if (now - this.lastMetrics >= this.metricsEveryMs) {
        this.lastMetrics = now;
        await this.refreshGauges();
      }
    } catch (error) {
      this.log.warn({ err: error }, 'outbox housekeeping failed');
    }
  }

  private async refreshGauges(): Promise<void> {
    const [row] = await this.orm.em.fork().execute<{ backlog: number; oldest: number | null }[]>(
      `SELECT count(*)::int AS backlog, extract(epoch FROM now() - min(created_at))::float8 AS oldest
       FROM infra.outbox WHERE published_at IS NULL AND parked_at IS NULL`,
    );
    outboxBacklog.set({ source: this.source }, Number(row?.backlog ?? 0));
    outboxOldestAge.set({ source: this.source }, Math.max(0, Number(row?.oldest ?? 0)));
  }

  /** Counts a failed publish on the row; returns its attempts so far. */
  private async recordFailure(
    em: EntityManager,
    row: { id: string; subject: string },
    error: unknown,
  ): Promise<number> {
    outboxPublishFailures.inc({ source: this.source });
    const [recorded] = await em.execute<{ attempts: number }[]>(
      'UPDATE infra.outbox SET attempts = attempts + 1, last_error = ? WHERE id = ? RETURNING attempts',
      [describeError(error, 2_000), row.id],
    );
    const attempts = recorded?.attempts ?? 0;
    this.log.warn(
      { err: error, eventId: row.id, subject: row.subject, attempts },
      'publish failed; the event stays in the outbox and is retried',
    );
    return attempts;
  }

  /** Takes a row that keeps failing while later rows go out off the stream (see the class comment). */
  private async park(em: EntityManager, row: OutboxRow): Promise<void> {
    await em.execute(
      'UPDATE infra.outbox SET parked_at = now(), claimed_until = NULL WHERE id = ?',
      [row.id],
      'run',
    );
    outboxParked.inc({ source: this.source });
    this.log.error(
      { eventId: row.id, subject: row.subject, maxAttempts: this.maxAttempts },
      'event parked in the outbox: it kept failing to publish while later events went out',
    );
  }

  /**
   * Waits `ms`, or less: with `wakeOnKick`, until a commit wakes the relay (at once if one did
   * already). A wait that runs its course makes a claim due (the poll).
   */
  private pause(ms: number, wakeOnKick: boolean): Promise<void> {
    const woken = () => this.claimDue || this.handedOver.length > 0;
    if (wakeOnKick && woken()) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.claimDue = true;
        done();
      }, ms);
      const wake = () => {
        if (this.stopping || wakeOnKick) done();
      };
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = wake;
    }).then(() => {
      this.wake = undefined;
    });
  }
}

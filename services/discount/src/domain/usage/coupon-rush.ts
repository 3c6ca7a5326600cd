import { performance } from 'node:perf_hooks';
import { KeyedQueue } from '../../../../../lib/runtime/keyed-queue.js';
import type { AppError } from '../../../../../lib/errors.js';

/**
 * A rush of orders for a coupon with few uses left: the reservations of one coupon take turns in
 * this process (they would queue on the coupon's row lock anyway), and a refusal COUPON_EXHAUSTED
 * seen under that lock is remembered with when it was seen. A reservation whose turn comes after a
 * refusal seen since it arrived is refused from that memory, without a transaction: the coupon had
 * no use left at a moment of its own life, so refusing it is what the lock would have answered
 * then. Anything else (a repeat of a known order, an order that arrived after the last refusal)
 * goes to the locked check, which stays the truth.
 */
export class CouponRush {
  private readonly turns = new KeyedQueue();
  private readonly refusals = new Map<string, { seenAt: number; refusal: AppError }>();

  /** A monotonic instant, for `arrivedAt` and `seenAt`. */
  now(): number {
    return performance.now();
  }

  /** Runs a reservation of the coupon `code` (upper-case) once the earlier ones of this process ended. */
  inTurn<T>(code: string, work: () => Promise<T>): Promise<T> {
    return this.turns.run([code], work);
  }

  /** Remembers an exhausted refusal seen under the coupon's lock, at `seenAt` (the lock still held). */
  exhausted(code: string, refusal: AppError, seenAt: number): void {
    this.refusals.set(code, { seenAt, refusal });
  }

  /** The exhausted refusal seen after `arrivedAt`, if there is one. */
  refusalSince(code: string, arrivedAt: number): AppError | undefined {
    const seen = this.refusals.get(code);
    return seen && seen.seenAt > arrivedAt ? seen.refusal : undefined;
  }
}

import type { EntityManager } from '@mikro-orm/postgresql';
import { DiscountReason } from '../../../../../lib/error-reasons.js';
import { failedPrecondition } from '../../../../../lib/errors.js';
import { requireUuid } from '../../../../../lib/validation/index.js';
import type { ReleaseCause } from '../../entities/discount-reservation.js';
import { findReservation, RELEASED_BEFORE_RESERVED, type ReservationRecord } from './reservation-record.js';

/**
 * Gives back a held reservation (locked by the caller): it is released with its cause, and its
 * coupon use stops counting (the coupon row is locked after the reservation's, the order every
 * reservation takes).
 */
async function releaseHeld(
  tx: EntityManager,
  reservation: ReservationRecord,
  cause: ReleaseCause,
): Promise<void> {
  await tx.execute(
    `UPDATE discount_reservations SET status = 'released', release_cause = ?, released_at = now() WHERE order_id = ?`,
    [cause, reservation.orderId],
    'run',
  );
  if (reservation.couponId === null) return;
  await tx.execute('SELECT 1 FROM coupons WHERE id = ? FOR UPDATE', [reservation.couponId]);
  const released = await tx.execute<unknown[]>(
    `UPDATE coupon_usage SET status = 'released', updated_at = now()
      WHERE coupon_id = ? AND order_id = ? AND status = 'reserved' RETURNING id`,
    [reservation.couponId, reservation.orderId],
  );
  if (released.length > 0) {
    await tx.execute(
      'UPDATE coupons SET usage_count = usage_count - 1, updated_at = now() WHERE id = ?',
      [reservation.couponId],
      'run',
    );
  }
}

/**
 * ReleaseDiscountUsage: a held reservation is released; a released one is answered as it is; a
 * redeemed one is refused. An unknown order is remembered as released (a reservation arriving
 * late for it then reserves nothing).
 */
export async function releaseDiscountUsage(em: EntityManager, orderId: string): Promise<ReservationRecord> {
  const id = requireUuid('order_id', orderId);
  return em.transactional(async (tx) => {
    let reservation = await findReservation(tx, id, { lock: true });
    if (!reservation) {
      await tx.execute(
        `INSERT INTO discount_reservations (order_id, status, request_hash, release_cause, expires_at, released_at)
         VALUES (?, 'released', ?, 'released_before_reserved', now(), now())
         ON CONFLICT (order_id) DO NOTHING`,
        [id, RELEASED_BEFORE_RESERVED],
        'run',
      );
      // Either the tombstone, or a reservation that committed in between (then released below).
      reservation = (await findReservation(tx, id, { lock: true }))!;
    }
    if (reservation.status === 'redeemed') {
      throw failedPrecondition(
        `the discounts of order ${id} were redeemed and cannot be released`,
        DiscountReason.DISCOUNT_RESERVATION_REDEEMED,
        { order_id: id },
      );
    }
    if (reservation.status === 'reserved') {
      await releaseHeld(tx, reservation, 'released');
      return (await findReservation(tx, id))!;
    }
    return reservation;
  });
}

/**
 * Releases one reservation whose time ran out (the expiry job), if it is still held and past its
 * expiry when locked; true when it did.
 */
export async function expireReservation(em: EntityManager, orderId: string): Promise<boolean> {
  return em.transactional(async (tx) => {
    const reservation = await findReservation(tx, orderId, { lock: true });
    if (!reservation || reservation.status !== 'reserved') return false;
    const [due] = await tx.execute<{ due: boolean }[]>('SELECT ?::timestamptz <= now() AS due', [
      reservation.expiresAt,
    ]);
    if (!due?.due) return false;
    await releaseHeld(tx, reservation, 'expired');
    return true;
  });
}

/** One sweep of the expiry job: reservations past their time, oldest first, each in its own transaction. */
export async function expireReservations(em: EntityManager, batchSize: number): Promise<number> {
  let released = 0;
  for (;;) {
    const due = await em.fork().execute<{ order_id: string }[]>(
      `SELECT order_id FROM discount_reservations WHERE status = 'reserved' AND expires_at <= now()
        ORDER BY expires_at LIMIT ?`,
      [batchSize],
    );
    for (const { order_id: orderId } of due) if (await expireReservation(em.fork(), orderId)) released += 1;
    if (due.length < batchSize) return released;
  }
}

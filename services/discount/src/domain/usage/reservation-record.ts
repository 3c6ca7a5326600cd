import type { EntityManager } from '@mikro-orm/postgresql';
import {
  ReleaseCause as ReleaseCauseMessage,
  ReservationState,
  type DiscountReservation,
} from '../../../../../gen/ecommerce/discount/v1/discount.js';
import { decimalToMinorUnits } from '../../../../../lib/db/money-type.js';
import type {
  ReleaseCause,
  ReservationStatus,
  ReservedPromotion,
} from '../../entities/discount-reservation.js';

/** What an order reserved of the discounts, as the domain reads it. */
export interface ReservationRecord {
  orderId: string;
  status: ReservationStatus;
  userId: string | null;
  guestEmail: string | null;
  currency: string | null;
  couponId: string | null;
  couponCode: string | null;
  couponDiscount: number | null;
  promotions: ReservedPromotion[];
  requestHash: string;
  releaseCause: ReleaseCause | null;
  reservedAt: Date;
  expiresAt: Date;
  redeemedAt: Date | null;
  releasedAt: Date | null;
}

/** The request hash of a release that came before any reservation of its order. */
export const RELEASED_BEFORE_RESERVED = 'released-before-reserved';

const asDate = (value: unknown): Date => (value instanceof Date ? value : new Date(String(value)));
const optionalDate = (value: unknown): Date | null => (value === null ? null : asDate(value));

function reservationFromRow(row: Record<string, unknown>): ReservationRecord {
  const promotions = (
    typeof row.promotions === 'string' ? JSON.parse(row.promotions) : row.promotions
  ) as ReservedPromotion[];
  return {
    orderId: String(row.order_id),
    status: row.status as ReservationStatus,
    userId: row.user_id === null ? null : String(row.user_id),
    guestEmail: row.guest_email === null ? null : String(row.guest_email),
    currency: row.currency === null ? null : String(row.currency),
    couponId: row.coupon_id === null ? null : String(row.coupon_id),
    couponCode: row.coupon_code === null ? null : String(row.coupon_code),
    couponDiscount: row.coupon_discount === null ? null : decimalToMinorUnits(String(row.coupon_discount)),
    promotions,
    requestHash: String(row.request_hash),
    releaseCause: (row.release_cause as ReleaseCause | null) ?? null,
    reservedAt: asDate(row.reserved_at),
    expiresAt: asDate(row.expires_at),
    redeemedAt: optionalDate(row.redeemed_at),
    releasedAt: optionalDate(row.released_at),
  };
}

/** An order's reservation; `lock` locks its row (FOR UPDATE). */
export async function findReservation(
  em: EntityManager,
  orderId: string,
  options: { lock?: boolean } = {},
): Promise<ReservationRecord | undefined> {
  const [row] = await em.execute<Record<string, unknown>[]>(
    `SELECT order_id, status, user_id, guest_email, currency, coupon_id, coupon_code,
            coupon_discount::text AS coupon_discount, promotions, request_hash, release_cause, reserved_at,
            expires_at, redeemed_at, released_at
       FROM discount_reservations WHERE order_id = ?${options.lock ? ' FOR UPDATE' : ''}`,
    [orderId],
  );
  return row ? reservationFromRow(row) : undefined;
}

const STATE: Record<ReservationStatus, ReservationState> = {
  reserved: ReservationState.RESERVATION_STATE_RESERVED,
  redeemed: ReservationState.RESERVATION_STATE_REDEEMED,
  released: ReservationState.RESERVATION_STATE_RELEASED,
};

const CAUSE: Record<ReleaseCause, ReleaseCauseMessage> = {
  released: ReleaseCauseMessage.RELEASE_CAUSE_RELEASED,
  expired: ReleaseCauseMessage.RELEASE_CAUSE_EXPIRED,
  released_before_reserved: ReleaseCauseMessage.RELEASE_CAUSE_RELEASED_BEFORE_RESERVED,
};

export function reservationMessage(reservation: ReservationRecord): DiscountReservation {
  const currencyCode = reservation.currency ?? '';
  return {
    orderId: reservation.orderId,
    state: STATE[reservation.status],
    couponId: reservation.couponId ?? '',
    couponCode: reservation.couponCode ?? '',
    couponDiscount:
      reservation.couponDiscount === null
        ? undefined
        : { currencyCode, amountMinor: reservation.couponDiscount },
    promotions: reservation.promotions.map((promotion) => ({
      promotionId: promotion.promotionId,
      discount: { currencyCode, amountMinor: promotion.discount },
    })),
    reservedAt: reservation.reservedAt,
    expiresAt: reservation.expiresAt,
    redeemedAt: reservation.redeemedAt ?? undefined,
    releasedAt: reservation.releasedAt ?? undefined,
    releaseCause: reservation.releaseCause
      ? CAUSE[reservation.releaseCause]
      : ReleaseCauseMessage.RELEASE_CAUSE_UNSPECIFIED,
  };
}

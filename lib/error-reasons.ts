/**
 * The machine-readable reasons of the platform's refusals, sent as `google.rpc.ErrorInfo`
 * (`reason`, this `domain`, `metadata`) beside the status and message: a client branches on the
 * reason, never on the message. Kept in one place because a reason is part of the contract every
 * caller may read (the cart reads the product service's). Documented in `docs/contracts.md`.
 */
export const ERROR_DOMAIN = 'ecommerce';

/** Shared by every service. */
export const CommonReason = {
  /** A state machine refused a status change (metadata: entity, from, to). */
  INVALID_STATUS_TRANSITION: 'INVALID_STATUS_TRANSITION',
  /** An idempotency key was already used for a different request. */
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  /** ABORTED: the first request under this idempotency key has not finished yet: retry shortly. */
  IDEMPOTENCY_KEY_IN_PROGRESS: 'IDEMPOTENCY_KEY_IN_PROGRESS',
  /** The transaction lost a race (deadlock, serialization failure, optimistic lock): retry. */
  CONCURRENT_UPDATE: 'CONCURRENT_UPDATE',
  /** The operation needs the token of a login session (a token that belongs to none is refused). */
  SESSION_REQUIRED: 'SESSION_REQUIRED',
} as const;

export const AuthReason = {
  EMAIL_TAKEN: 'EMAIL_TAKEN',
  EMAIL_ALREADY_VERIFIED: 'EMAIL_ALREADY_VERIFIED',
  ACCOUNT_GONE: 'ACCOUNT_GONE',
  LAST_ADMINISTRATOR: 'LAST_ADMINISTRATOR',
  SELF_DEACTIVATION: 'SELF_DEACTIVATION',
  /** metadata: retry_after_seconds. */
  TOO_MANY_LOGIN_ATTEMPTS: 'TOO_MANY_LOGIN_ATTEMPTS',
  /** metadata: retry_after_seconds. */
  VERIFICATION_RESENT_TOO_SOON: 'VERIFICATION_RESENT_TOO_SOON',
} as const;

export const UserReason = {
  /** The profile is created from auth.user.registered moments after registration: retry shortly. */
  PROFILE_NOT_READY: 'PROFILE_NOT_READY',
  ADDRESS_BOOK_FULL: 'ADDRESS_BOOK_FULL',
  WISHLIST_FULL: 'WISHLIST_FULL',
  WALLET_FULL: 'WALLET_FULL',
  PREFERENCES_FULL: 'PREFERENCES_FULL',
} as const;

export const ProductReason = {
  /** metadata: product_id, or variant_ids (comma-separated) for a reservation. */
  NOT_FOR_SALE: 'NOT_FOR_SALE',
  /** A reservation asked for more than is available (metadata: variant_ids of the short lines). */
  OUT_OF_STOCK: 'OUT_OF_STOCK',
  /** metadata: category_id. */
  UNKNOWN_CATEGORY: 'UNKNOWN_CATEGORY',
  /** metadata: product_id. */
  PRODUCT_ARCHIVED: 'PRODUCT_ARCHIVED',
  SLUG_TAKEN: 'SLUG_TAKEN',
  SKU_TAKEN: 'SKU_TAKEN',
  ALREADY_REVIEWED: 'ALREADY_REVIEWED',
  CATEGORY_CYCLE: 'CATEGORY_CYCLE',
  PARENT_CATEGORY_INACTIVE: 'PARENT_CATEGORY_INACTIVE',
  /** metadata: variant_id, location, on_hand, reserved. */
  INSUFFICIENT_STOCK: 'INSUFFICIENT_STOCK',
  /** metadata: order_id. */
  RESERVATION_RELEASED: 'RESERVATION_RELEASED',
  /** metadata: order_id. */
  RESERVATION_COMMITTED: 'RESERVATION_COMMITTED',
} as const;

export const CartReason = {
  /** metadata: cart_id, status. */
  CART_NOT_ACTIVE: 'CART_NOT_ACTIVE',
  /** metadata: product_id (the product is not active or has no price). */
  NOT_FOR_SALE: 'NOT_FOR_SALE',
  /** metadata: product_id, variant_id (gone from the catalog since it was added). */
  NO_LONGER_AVAILABLE: 'NO_LONGER_AVAILABLE',
  /** metadata: product_id, variant_id, available, requested. */
  OUT_OF_STOCK: 'OUT_OF_STOCK',
  /** metadata: cart_currency, product_currency. */
  CURRENCY_MISMATCH: 'CURRENCY_MISMATCH',
  /** A line, or the cart, would exceed its unit or line limit (metadata: limit). */
  CART_LIMIT_EXCEEDED: 'CART_LIMIT_EXCEEDED',
} as const;

export const DiscountReason = {
  /** NOT_FOUND: no coupon has this code (metadata: code). */
  COUPON_NOT_FOUND: 'COUPON_NOT_FOUND',
  /** The coupon was switched off (metadata: code). */
  COUPON_INACTIVE: 'COUPON_INACTIVE',
  /** metadata: code, starts_at. */
  COUPON_NOT_STARTED: 'COUPON_NOT_STARTED',
  /** metadata: code, ends_at. */
  COUPON_EXPIRED: 'COUPON_EXPIRED',
  /** The cart is in another currency than the coupon (metadata: code, coupon_currency, currency_code). */
  COUPON_CURRENCY_MISMATCH: 'COUPON_CURRENCY_MISMATCH',
  /** Every use of the coupon is reserved or redeemed (metadata: code, usage_limit). */
  COUPON_EXHAUSTED: 'COUPON_EXHAUSTED',
  /** The customer used it as often as allowed (metadata: code, usage_limit_per_customer). */
  COUPON_CUSTOMER_LIMIT_REACHED: 'COUPON_CUSTOMER_LIMIT_REACHED',
  /** No line of the cart is one the coupon applies to (metadata: code). */
  COUPON_NOT_APPLICABLE: 'COUPON_NOT_APPLICABLE',
  /** metadata: code, minimum_amount_minor, eligible_amount_minor, currency_code. */
  COUPON_MINIMUM_NOT_MET: 'COUPON_MINIMUM_NOT_MET',
  /** ALREADY_EXISTS: another coupon has the code in some letter case (metadata: code). */
  COUPON_CODE_TAKEN: 'COUPON_CODE_TAKEN',
  /** A usage limit below the uses already counted (metadata: usage_count). */
  COUPON_USAGE_LIMIT_BELOW_USES: 'COUPON_USAGE_LIMIT_BELOW_USES',
  /** Activating a promotion whose ends_at has passed (metadata: promotion_id, ends_at). */
  PROMOTION_EXPIRED: 'PROMOTION_EXPIRED',
  /** Redeeming an order's reservation that was released (metadata: order_id, release_cause). */
  DISCOUNT_RESERVATION_RELEASED: 'DISCOUNT_RESERVATION_RELEASED',
  /** Releasing an order's reservation that was redeemed (metadata: order_id). */
  DISCOUNT_RESERVATION_REDEEMED: 'DISCOUNT_RESERVATION_REDEEMED',
} as const;

export const PaymentReason = {
  /**
   * The method added with this idempotency key was deleted since: send a new key. Also an
   * authorisation with a deleted method (a deleted method is never charged).
   */
  PAYMENT_METHOD_DELETED: 'PAYMENT_METHOD_DELETED',
  /**
   * The gateway declined (metadata: decline_code: card_declined, insufficient_funds, expired_card,
   * processing_error, invalid_request). A new attempt needs a new idempotency key.
   */
  PAYMENT_DECLINED: 'PAYMENT_DECLINED',
  /** UNAVAILABLE: the gateway's answer was lost and it cannot be asked now: retry with the same key. */
  PAYMENT_OUTCOME_UNKNOWN: 'PAYMENT_OUTCOME_UNKNOWN',
  /** A capture of a payment that is not authorised (metadata: status). */
  PAYMENT_NOT_CAPTURABLE: 'PAYMENT_NOT_CAPTURABLE',
  /** A capture or void of this payment is under way, or its outcome is being found out. */
  PAYMENT_OPERATION_IN_PROGRESS: 'PAYMENT_OPERATION_IN_PROGRESS',
  /** A capture above the authorised amount (metadata: authorized_minor). */
  AMOUNT_EXCEEDS_AUTHORIZED: 'AMOUNT_EXCEEDS_AUTHORIZED',
  /** A refund above what is captured and not yet refunded (metadata: refundable_minor). */
  AMOUNT_EXCEEDS_REFUNDABLE: 'AMOUNT_EXCEEDS_REFUNDABLE',
  /** UNAUTHENTICATED: a webhook whose signature does not verify; nothing was stored. */
  WEBHOOK_SIGNATURE_INVALID: 'WEBHOOK_SIGNATURE_INVALID',
} as const;

export const ShippingReason = {
  /**
   * The chosen method does not apply to this address and basket now (metadata: method_id, cause:
   * inactive, address, currency or no_rate).
   */
  SHIPPING_METHOD_NOT_AVAILABLE: 'SHIPPING_METHOD_NOT_AVAILABLE',
  /** A method names a carrier code no carrier has (metadata: carrier_code). */
  UNKNOWN_CARRIER: 'UNKNOWN_CARRIER',
  /** metadata: carrier_code. */
  CARRIER_CODE_TAKEN: 'CARRIER_CODE_TAKEN',
  /** Methods or shipments still use the carrier (metadata: carrier_id). */
  CARRIER_IN_USE: 'CARRIER_IN_USE',
  /** Shipments used the method (or a method of the zone) being deleted (metadata: method_id or zone_id). */
  SHIPPING_METHOD_IN_USE: 'SHIPPING_METHOD_IN_USE',
  /** The shipment was shipped or cancelled: it can no longer be split or shipped (metadata: shipment_id, status). */
  SHIPMENT_NOT_PENDING: 'SHIPMENT_NOT_PENDING',
  /** A split names an order line the shipment does not hold (metadata: order_item_id). */
  SHIPMENT_LINE_NOT_FOUND: 'SHIPMENT_LINE_NOT_FOUND',
  /** A split moves more units of a line than the shipment holds, or all of them (metadata: order_item_id, available, requested). */
  SPLIT_EXCEEDS_SHIPMENT: 'SPLIT_EXCEEDS_SHIPMENT',
  /** Shipping with a carrier that is switched off (metadata: carrier_id). */
  CARRIER_INACTIVE: 'CARRIER_INACTIVE',
} as const;

export const OrderReason = {
  /** The checkout's cart is not ACTIVE (metadata: cart_id, status). */
  CART_NOT_ACTIVE: 'CART_NOT_ACTIVE',
  /** metadata: cart_id. */
  CART_EMPTY: 'CART_EMPTY',
  /** A line can no longer be bought (metadata: variant_ids). */
  NOT_FOR_SALE: 'NOT_FOR_SALE',
  /** Prices changed since the shopper saw them (metadata: variant_ids): confirm the new total. */
  PRICE_CHANGED: 'PRICE_CHANGED',
  /** The total computed is not the expected_total sent (metadata: total_minor, currency_code). */
  TOTAL_CHANGED: 'TOTAL_CHANGED',
  /** metadata: shipping_method_id. */
  SHIPPING_CURRENCY_MISMATCH: 'SHIPPING_CURRENCY_MISMATCH',
  /** The cart already has a live order (metadata: order_id). */
  CART_ALREADY_ORDERED: 'CART_ALREADY_ORDERED',
  /** A checkout undone for a failure without a reason of its own, a service down (metadata: order_id). */
  CHECKOUT_FAILED: 'CHECKOUT_FAILED',
} as const;

export const NotificationReason = {
  /** The email of a transactional notification type cannot be turned off (metadata: notification_type). */
  TRANSACTIONAL_NOTIFICATION: 'TRANSACTIONAL_NOTIFICATION',
} as const;

export const ReturnReason = {
  /** A return asked for an order that is not delivered (metadata: order_id, status). */
  ORDER_NOT_DELIVERED: 'ORDER_NOT_DELIVERED',
  /** The order was delivered longer ago than the return window (metadata: delivered_at, window_days). */
  RETURN_WINDOW_CLOSED: 'RETURN_WINDOW_CLOSED',
  /** Store credit and exchanges are not offered (metadata: refund_method). */
  REFUND_METHOD_NOT_OFFERED: 'REFUND_METHOD_NOT_OFFERED',
  /** Tracking given after the RMA's expiry (metadata: expires_at). */
  RMA_EXPIRED: 'RMA_EXPIRED',
} as const;

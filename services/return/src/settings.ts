import { ConfigError, readInt, readString, type Env } from '../../../lib/config/index.js';

/** When a return refunds the order's shipping (docs/api/return.md, "The refund rule"). */
export type ShippingRefundRule = 'never' | 'when_fully_returned';

/** The return service's own settings, read once at start. */
export interface ReturnSettings {
  /** Days after delivery during which a return may be asked for. */
  windowDays: number;
  /** Days an RMA stays valid after approval. */
  rmaValidityDays: number;
  shippingRefund: ShippingRefundRule;
}

const SHIPPING_RULES: readonly ShippingRefundRule[] = ['never', 'when_fully_returned'];

/**
 * RETURN_WINDOW_DAYS (default 30), RETURN_RMA_VALIDITY_DAYS (default 30), RETURN_REFUND_SHIPPING
 * (`when_fully_returned`, the default: the return that completes the order refunds its shipping
 * too; `never`).
 */
export function returnSettingsFrom(env: Env): ReturnSettings {
  const shippingRefund = readString(env, 'RETURN_REFUND_SHIPPING', 'when_fully_returned')!;
  if (!SHIPPING_RULES.includes(shippingRefund as ShippingRefundRule)) {
    throw new ConfigError(
      'RETURN_REFUND_SHIPPING',
      `must be one of ${SHIPPING_RULES.join(', ')}, got "${shippingRefund}"`,
    );
  }
  return {
    windowDays: readInt(env, 'RETURN_WINDOW_DAYS', 30, { min: 0, max: 3650 }),
    rmaValidityDays: readInt(env, 'RETURN_RMA_VALIDITY_DAYS', 30, { min: 1, max: 365 }),
    shippingRefund: shippingRefund as ShippingRefundRule,
  };
}

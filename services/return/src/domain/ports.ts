import type { Money } from '../../../../lib/money.js';

/** One line of an order, as the return service needs it. */
export interface OrderLineFacts {
  id: string;
  productId: string;
  variantId: string;
  productName: string;
  sku: string;
  quantity: number;
  unitPriceMinor: number;
  discountMinor: number;
  taxMinor: number;
}

/** An order as the order service answers it, reduced to what returns need. */
export interface OrderFacts {
  id: string;
  /** The customer; '' for a guest order. */
  userId: string;
  /** The order's status as the order service names it (`delivered`, `partially_refunded`, …). */
  status: string;
  /** When it became delivered (its history); undefined if it never did. */
  deliveredAt: Date | undefined;
  currency: string;
  grandTotalMinor: number;
  pricesIncludeTax: boolean;
  paymentId: string;
  lines: OrderLineFacts[];
}

/** The order service: one order, read as this service (any order; the domain checks whose). */
export interface OrderDesk {
  /** The order, or undefined when the order service does not know it. */
  getOrder(orderId: string): Promise<OrderFacts | undefined>;
}

/** The payment service's refunds. */
export interface PaymentRefunds {
  /** Refunds once per idempotency key; answers the payment service's refund id. */
  refund(request: {
    paymentId: string;
    amount: Money;
    reason: string;
    returnId: string;
    idempotencyKey: string;
  }): Promise<{ paymentRefundId: string }>;
}

/** The product service's stock. */
export interface Restocking {
  /** Puts units back on hand once per restock id (a repeat adds nothing). */
  restock(restockId: string, lines: { variantId: string; quantity: number }[], reason: string): Promise<void>;
}

export interface ReturnPorts {
  orders: OrderDesk;
  payments: PaymentRefunds;
  stock: Restocking;
}

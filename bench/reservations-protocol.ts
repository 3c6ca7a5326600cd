import type { ReserveStockRequest } from '../gen/ecommerce/product/v1/product.js';

/** What bench/reservations.ts asks of its client process: one rush of orders, all sent at once. */
export type ToRushClient = {
  type: 'rush';
  /** 127.0.0.1:<port> of the product service. */
  target: string;
  /** A platform service's token (ReserveStock is internal). */
  token: string;
  orders: ReserveStockRequest[];
};

/** One order's answer: the gRPC status code (0 is OK) and how long it took from its call. */
export interface RushOutcome {
  ms: number;
  code: number;
}

export type FromRushClient =
  | {
      type: 'result';
      /** In the order of the request's `orders`. */
      outcomes: RushOutcome[];
      /** From the first call sent to the last answer received. */
      slowestMs: number;
      /** CPU time (user + system) the client process used meanwhile. */
      cpuMs: number;
    }
  | { type: 'failed'; message: string };

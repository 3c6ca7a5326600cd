import type { MikroORM } from '@mikro-orm/postgresql';
import type {
  Order as OrderMessage,
  PlaceOrderRequest,
} from '../../../../../gen/ecommerce/order/v1/order.js';
import { CommonReason, OrderReason } from '../../../../../lib/error-reasons.js';
import { aborted, AppError, failedPrecondition } from '../../../../../lib/errors.js';
import { requestHashOf, idempotencyKeyReused } from '../../../../../lib/idempotency/idempotency-keys.js';
import { executePrepared } from '../../../../../lib/db/prepared-statement.js';
import { newId } from '../../../../../lib/ids.js';
import { isCurrencyCode, MAX_AMOUNT_MINOR } from '../../../../../lib/money.js';
import {
  addressMessageOf,
  checked,
  postalFieldsFrom,
  type PostalFields,
} from '../../../../../lib/validation/index.js';
import { nextOrderNumber } from '../order-number.js';
import { existingOrderView } from '../order-view.js';
import type { Buyer, CartOwner, CheckoutAddress, PaymentSource } from './checkout-ports.js';
import type { CheckoutRunner } from './checkout-runner.js';
import type { CheckoutRequest, CheckoutState } from './checkout-state.js';
import { FIRST_STEP } from './checkout-steps.js';
import type { SagaFailure } from './saga-runner.js';
import type { SagaLease } from './saga-store.js';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{8,100}$/;
const SESSION_ID = /^[A-Za-z0-9_-]{16,128}$/;
const PAYMENT_TOKEN = /^[A-Za-z0-9_.:-]{8,255}$/;
/** Who placed a guest's order, in its history. */
const GUEST = 'guest';

/**
 * The caller's saved address, read with the caller's own token (the address book shows only their
 * addresses): NOT_FOUND when it is not theirs.
 */
export interface SavedAddresses {
  savedAddress(addressId: string): Promise<CheckoutAddress>;
}

export interface PlaceOrderDeps {
  orm: MikroORM;
  checkout: CheckoutRunner;
  addresses: SavedAddresses;
  lease: SagaLease;
  pricesIncludeTax: boolean;
}

/** Who places the order: a signed-in customer, or a guest (no token). */
export type Shopper = { userId: string } | null;

interface CheckedPlaceOrder {
  idempotencyKey: string;
  cartId: string;
  owner: CartOwner;
  buyer: Buyer;
  address: PostalFields | null;
  savedAddressId: string | null;
  shippingMethodId: string;
  payment: PaymentSource;
  expectedTotal: { currencyCode: string; amountMinor: number } | null;
}

/**
 * PlaceOrder: the order is recorded (pending, with its saga and the caller's key) before any call
 * that changes anything elsewhere; its checkout then runs detached from the caller, who waits for
 * the outcome within their deadline. A repeat of the key, in sequence or at once, waits for and
 * answers the same outcome. Answers the order once its checkout ended in a confirmed order; a
 * refused checkout is thrown as its refusal, with the order's id.
 */
export async function placeOrder(
  deps: PlaceOrderDeps,
  shopper: Shopper,
  request: PlaceOrderRequest,
): Promise<OrderMessage> {
  const input = checkPlaceOrder(shopper, request);
  const address = input.address
    ? addressMessageOf(input.address)
    : await deps.addresses.savedAddress(input.savedAddressId!);
  const checkoutRequest: CheckoutRequest = {
    cartId: input.cartId,
    owner: input.owner,
    buyer: input.buyer,
    address,
    shippingMethodId: input.shippingMethodId,
    payment: input.payment,
    expectedTotal: input.expectedTotal,
  };
  const scope = 'userId' in input.owner ? `user:${input.owner.userId}` : `guest:${input.owner.sessionId}`;
  const requestHash = requestHashOf({
    cartId: input.cartId,
    buyer: input.buyer,
    address,
    shippingMethodId: input.shippingMethodId,
    payment: input.payment,
    expectedTotal: input.expectedTotal,
  });

  const order = await recordPendingOrder(deps, {
    scope,
    key: input.idempotencyKey,
    requestHash,
    checkoutRequest,
  });
  if (order.fresh)
    void deps.checkout.run({
      id: order.id,
      step: FIRST_STEP,
      direction: 'forward',
      state: order.state,
      failure: null,
    });
  const outcome = await deps.checkout.settled(order.id);
  if (!outcome) {
    throw aborted(
      `order ${order.id} is still being placed; send the same request again to get its outcome`,
      CommonReason.IDEMPOTENCY_KEY_IN_PROGRESS,
    );
  }
  if (outcome.refusal) throw refusalOf(outcome.refusal, order.id);
  return existingOrderView(deps.orm.em.fork(), order.id, 'customer');
}

function checkPlaceOrder(shopper: Shopper, request: PlaceOrderRequest): CheckedPlaceOrder {
  return checked((v) => {
    const idempotencyKey = request.idempotencyKey;
    if (!IDEMPOTENCY_KEY.test(idempotencyKey))
      v.add('idempotency_key', 'must be 8-100 characters of letters, digits, _ or -');
    const cartId = v.uuid('cart_id', request.cartId);

    let owner: CartOwner;
    let buyer: Buyer;
    if (shopper) {
      owner = { userId: shopper.userId };
      buyer = { userId: shopper.userId };
    } else {
      if (!SESSION_ID.test(request.sessionId))
        v.add('session_id', 'is required without a token: 16-128 characters of letters, digits, _ or -');
      owner = { sessionId: request.sessionId };
      buyer = { guestEmail: v.email('guest_email', request.guestEmail) };
    }

    let address: PostalFields | null = null;
    let savedAddressId: string | null = null;
    const destination = request.destination;
    if (destination?.$case === 'shippingAddress') {
      address = postalFieldsFrom(destination.value, v, 'shipping_address');
    } else if (destination?.$case === 'savedAddressId') {
      if (!shopper) v.add('saved_address_id', 'needs a signed-in customer; a guest sends shipping_address');
      savedAddressId = v.uuid('saved_address_id', destination.value);
    } else {
      v.add('shipping_address', 'is required (or saved_address_id)');
    }

    const shippingMethodId = v.uuid('shipping_method_id', request.shippingMethodId);

    let payment: PaymentSource = { paymentToken: '' };
    if (request.payment?.$case === 'paymentMethodId') {
      if (!shopper) v.add('payment_method_id', 'needs a signed-in customer; a guest sends payment_token');
      payment = { paymentMethodId: v.uuid('payment_method_id', request.payment.value) };
    } else if (request.payment?.$case === 'paymentToken') {
      if (!PAYMENT_TOKEN.test(request.payment.value))
        v.add('payment_token', 'must be 8-255 characters of letters, digits, _ . : or -');
      payment = { paymentToken: request.payment.value };
    } else {
      v.add('payment_token', 'is required (or payment_method_id)');
    }

    let expectedTotal: CheckedPlaceOrder['expectedTotal'] = null;
    if (request.expectedTotal) {
      const { currencyCode, amountMinor } = request.expectedTotal;
      if (!isCurrencyCode(currencyCode))
        v.add('expected_total.currency_code', 'must be an ISO 4217 code such as EUR');
      if (!Number.isSafeInteger(amountMinor) || amountMinor < 0 || amountMinor > MAX_AMOUNT_MINOR)
        v.add(
          'expected_total.amount_minor',
          `must be a whole number of minor units from 0 to ${MAX_AMOUNT_MINOR}`,
        );
      expectedTotal = { currencyCode, amountMinor };
    }
    return {
      idempotencyKey,
      cartId,
      owner,
      buyer,
      address,
      savedAddressId,
      shippingMethodId,
      payment,
      expectedTotal,
    };
  });
}

/** The order of a request: one it created (with the saga's first state, to start), or one it found. */
type RecordedOrder = { id: string; fresh: true; state: CheckoutState } | { id: string; fresh: false };

/*
 * The pending order, its address and its first history row, in one statement: it commits on its
 * own (no BEGIN and COMMIT round trips), and the address and history rows are written only when
 * the order is (ON CONFLICT DO NOTHING leaves `created` empty). Prepared once per connection: it
 * runs once per checkout.
 */
const RECORD_PENDING_ORDER_SQL = `
  WITH created AS (
    INSERT INTO orders (id, order_number, user_id, guest_email, cart_id, status, subtotal, total_amount, currency,
      idempotency_scope, idempotency_key, request_hash, prices_include_tax,
      checkout_step, checkout_state, checkout_lease_owner, checkout_lease_until)
    VALUES (:id, :orderNumber, :userId, :guestEmail, :cartId, 'pending', 0, 0, 'XXX',
      :scope, :key, :requestHash, :pricesIncludeTax,
      :step, :state::jsonb, :leaseOwner, now() + (:leaseMs::int * interval '1 millisecond'))
    ON CONFLICT DO NOTHING
    RETURNING id),
  address AS (
    INSERT INTO shipping_addresses (id, order_id, name, first_name, last_name, company, line1, line2, city, state,
      postal_code, country, phone)
    SELECT :addressId, id, :name, :firstName, :lastName, :company, :line1, :line2, :city, :region,
      :postalCode, :country, :phone
    FROM created),
  history AS (
    INSERT INTO order_status_history (id, order_id, status, previous_status, changed_by, reason, created_at)
    SELECT :historyId, id, 'pending', NULL, :changedBy, 'order placed', now() FROM created)
  SELECT id FROM created`;

/**
 * Records the pending order with its saga, leased to this replica, in one statement. A key the
 * caller already used answers that order (or IDEMPOTENCY_KEY_REUSED for another request); a cart
 * with a live order answers CART_ALREADY_ORDERED. Both are decided by unique indexes, so requests
 * that arrive together cannot both create an order.
 */
async function recordPendingOrder(
  deps: PlaceOrderDeps,
  input: { scope: string; key: string; requestHash: string; checkoutRequest: CheckoutRequest },
): Promise<RecordedOrder> {
  const em = deps.orm.em.fork();
  const id = newId();
  const orderNumber = await nextOrderNumber(em);
  const state: CheckoutState = { orderId: id, orderNumber, request: input.checkoutRequest };
  const buyer = input.checkoutRequest.buyer;
  const address = input.checkoutRequest.address;
  const created = await executePrepared<{ id: string }>(
    em,
    'order:record-pending',
    RECORD_PENDING_ORDER_SQL,
    {
      id,
      orderNumber,
      userId: 'userId' in buyer ? buyer.userId : null,
      guestEmail: 'guestEmail' in buyer ? buyer.guestEmail : null,
      cartId: input.checkoutRequest.cartId,
      scope: input.scope,
      key: input.key,
      requestHash: input.requestHash,
      pricesIncludeTax: deps.pricesIncludeTax,
      step: FIRST_STEP,
      state: JSON.stringify(state),
      leaseOwner: deps.lease.owner,
      leaseMs: deps.lease.leaseMs,
      addressId: newId(),
      name: `${address.firstName} ${address.lastName}`,
      firstName: address.firstName,
      lastName: address.lastName,
      company: address.company || null,
      line1: address.line1,
      line2: address.line2 || null,
      city: address.city,
      region: address.state || null,
      postalCode: address.postalCode || null,
      country: address.country,
      phone: address.phone || null,
      historyId: newId(),
      changedBy: 'userId' in buyer ? buyer.userId : GUEST,
    },
  );
  if (created.length > 0) return { id, fresh: true, state };
  return existingOrderOf(deps.orm, input);
}

async function existingOrderOf(
  orm: MikroORM,
  input: { scope: string; key: string; requestHash: string; checkoutRequest: CheckoutRequest },
): Promise<RecordedOrder> {
  const em = orm.em.fork();
  const [sameKey] = await em.execute<{ id: string; request_hash: string }[]>(
    'SELECT id, request_hash FROM orders WHERE idempotency_scope = ? AND idempotency_key = ?',
    [input.scope, input.key],
  );
  if (sameKey) {
    if (sameKey.request_hash !== input.requestHash) throw idempotencyKeyReused(input.key);
    return { id: sameKey.id, fresh: false };
  }
  const [live] = await em.execute<{ id: string }[]>(
    "SELECT id FROM orders WHERE cart_id = ? AND status <> 'cancelled'",
    [input.checkoutRequest.cartId],
  );
  if (live) {
    throw failedPrecondition(
      `cart ${input.checkoutRequest.cartId} already has order ${live.id}`,
      OrderReason.CART_ALREADY_ORDERED,
      { order_id: live.id },
    );
  }
  // The conflicting order was cancelled between the insert and this read: the caller may retry.
  throw aborted('the cart changed hands during the checkout; retry', CommonReason.CONCURRENT_UPDATE);
}

/** A checkout that went backward answers its refusal, with the order's id, every time it is asked. */
function refusalOf(failure: SagaFailure, orderId: string): AppError {
  return new AppError(failure.code, failure.message, undefined, {
    reason: failure.reason ?? OrderReason.CHECKOUT_FAILED,
    metadata: { ...failure.metadata, order_id: orderId },
  });
}

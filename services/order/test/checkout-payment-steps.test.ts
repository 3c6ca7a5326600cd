import { expect } from 'chai';
import { newId } from '../../../lib/ids.js';
import type { CheckoutPorts, PaymentPort } from '../src/domain/checkout/checkout-ports.js';
import type { CheckoutState } from '../src/domain/checkout/checkout-state.js';
import { checkoutSaga, PIVOT_STEP } from '../src/domain/checkout/checkout-steps.js';
import { BERLIN } from '../../../test/support/checkout-world.js';

/** What the payment steps asked of the payment service (a fake port: this tests the steps). */
function recordingPayments() {
  const calls: string[] = [];
  const payments: PaymentPort = {
    async authorize(request) {
      calls.push(`authorize ${request.idempotencyKey} capture=${request.capture}`);
      return { paymentId: 'pay-1', captured: request.capture };
    },
    async capture(request) {
      calls.push(`capture ${request.idempotencyKey}`);
    },
    async undo() {
      calls.push('undo');
    },
  };
  return { calls, payments };
}

function stepsWith(payments: PaymentPort) {
  const saga = checkoutSaga({ payments } as unknown as CheckoutPorts, {
    taxRates: new Map(),
    pricesIncludeTax: false,
  });
  const step = (name: string) => saga.steps.find((candidate) => candidate.name === name)!;
  return { authorize: step('authorize_payment'), capture: step(PIVOT_STEP) };
}

const orderId = newId();
const totalled: CheckoutState = {
  orderId,
  request: {
    cartId: newId(),
    owner: { sessionId: 'session-0123456789' },
    buyer: { guestEmail: 'ada@example.com' },
    address: BERLIN,
    shippingMethodId: newId(),
    payment: { paymentToken: 'pm_card_visa' },
    expectedTotal: null,
  },
  currency: 'EUR',
  totals: {
    subtotalMinor: 1000,
    discountTotalMinor: 0,
    shippingTotalMinor: 0,
    taxTotalMinor: 0,
    grandTotalMinor: 1000,
  },
};

describe('order: the checkout’s payment steps', () => {
  it('authorises and captures in one call, and the pivot then asks nothing more', async () => {
    const { calls, payments } = recordingPayments();
    const { authorize, capture } = stepsWith(payments);
    const authorized = await authorize.run(totalled);
    expect(authorized).to.deep.include({ paymentId: 'pay-1', captured: true });
    expect(authorized.request?.payment, 'the one-time token is dropped').to.deep.equal({ paymentToken: '' });
    await capture.run({ ...totalled, ...authorized });
    expect(calls).to.deep.equal([`authorize ${orderId}-authorize capture=true`]);
  });

  it('captures at the pivot a payment authorised by a saga recorded before (no captured in its state)', async () => {
    const { calls, payments } = recordingPayments();
    const { capture } = stepsWith(payments);
    await capture.run({ ...totalled, paymentId: 'pay-1' });
    expect(calls).to.deep.equal([`capture ${orderId}-capture`]);
  });
});

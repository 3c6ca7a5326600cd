import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { UpdateShippingMethodRequest } from '../gen/ecommerce/shipping/v1/shipping.js';
import { ShippingReason } from '../lib/error-reasons.js';
import { newId } from '../lib/ids.js';
import { eventually, failureOf, type CallFailure } from './support/clients.js';
import { basketTo, eur, startShippingWorld, type ShippingWorld } from './shipping-fixtures.js';

/*
 * QuoteShipping and ConfirmShippingMethod over real gRPC, the weights read from the product
 * service. Each test ships to countries of its own.
 */
describe('shipping quotes over gRPC: QuoteShipping, ConfirmShippingMethod', function () {
  this.timeout(180_000);
  let world: ShippingWorld;

  before(async () => {
    world = await startShippingWorld();
  });
  after(async () => {
    await world?.stop();
  });

  it('prices a basket by the product service’s weights (a variant’s own, else its product’s), cheapest first, for guests, customers and services alike', async () => {
    const carrier = await world.carrier();
    const zone = await world.zone({ name: 'Germany', countries: ['DE'] });
    const perKg = await world.method(zone, carrier, {
      name: 'By weight',
      basePrice: eur(200),
      pricePerKg: eur(100),
      estimatedDays: 4,
    });
    const tiered = await world.method(zone, carrier, { name: 'Tiered', estimatedDays: 2 });
    await world.rate(tiered, { maxWeightGrams: 5000, rate: eur(700) });
    await world.rate(tiered, { minWeightGrams: 5000, rate: eur(1500) });

    // Product weighs 1.2 kg; variant 0 has no weight of its own, variant 1 weighs 3 kg.
    const product = await world.product(1200, [undefined, 3000]);
    expect(product.variants.map((v) => v.weightGrams)).to.deep.equal([1200, 3000]);
    const request = basketTo('DE', [
      [product, 0, 2],
      [product, 1, 1],
    ]);
    const asGuest = await world.shipping.quoteShipping(request);
    // 2 × 1.2 kg + 3 kg = 5.4 kg: by weight 2.00 + 5.40 = 7.40 €; tiered: the 5 kg+ tier, 15.00 €.
    expect(asGuest.totalWeightGrams).to.equal(5400);
    expect(asGuest.zoneId).to.equal(zone.id);
    expect(asGuest.options.map((o) => [o.methodId, o.price])).to.deep.equal([
      [perKg.id, eur(740)],
      [tiered.id, eur(1500)],
    ]);
    expect(await world.shipping.quoteShipping(request, { token: await world.customerToken() })).to.deep.equal(
      asGuest,
    );
    expect(await world.shipping.quoteShipping(request, { token: world.serviceToken })).to.deep.equal(asGuest);

    const light = await world.shipping.quoteShipping(basketTo('DE', [[product, 0, 1]]));
    expect(light.options.map((o) => [o.name, o.price])).to.deep.equal([
      ['By weight', eur(320)],
      ['Tiered', eur(700)],
    ]);
  });

  it('answers an empty quote where nothing applies: no zone, another currency', async () => {
    const product = await world.product(500);
    const nowhere = await world.shipping.quoteShipping(basketTo('NZ', [[product, 0, 1]]));
    expect(nowhere).to.deep.equal({ options: [], totalWeightGrams: 500, zoneId: '' });
    const zone = await world.zone({ name: 'France', countries: ['FR'] });
    await world.method(zone, await world.carrier(), { basePrice: eur(500) });
    const inUsd = await world.shipping.quoteShipping(
      basketTo('FR', [[product, 0, 1]], { currencyCode: 'USD', amountMinor: 2000 }),
    );
    expect(inUsd).to.deep.equal({ options: [], totalWeightGrams: 500, zoneId: zone.id });
  });

  it('gives 50 concurrent identical quotes the identical answer', async () => {
    const carrier = await world.carrier();
    const zone = await world.zone({ name: 'Austria', countries: ['AT'] });
    for (const [name, price] of [
      ['A', 900],
      ['B', 400],
      ['C', 650],
    ] as const) {
      await world.method(zone, carrier, { name, basePrice: eur(price), pricePerKg: eur(10) });
    }
    const product = await world.product(2500);
    const request = basketTo('AT', [[product, 0, 3]]);
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => world.shipping.quoteShipping(request)),
    );
    for (const answer of answers) expect(answer).to.deep.equal(answers[0]);
    expect(answers[0]!.options.map((o) => [o.name, o.price!.amountMinor])).to.deep.equal([
      ['B', 475],
      ['C', 725],
      ['A', 975],
    ]);
  });

  it('ConfirmShippingMethod answers the quoted price, or FAILED_PRECONDITION SHIPPING_METHOD_NOT_AVAILABLE with the cause', async () => {
    const carrier = await world.carrier();
    const zone = await world.zone({ name: 'Belgium', countries: ['BE'] });
    const method = await world.method(zone, carrier, { basePrice: eur(350), pricePerItem: eur(20) });
    const product = await world.product(800);
    const request = basketTo('BE', [[product, 0, 4]]);
    const service = { token: world.serviceToken };
    const quote = await world.shipping.quoteShipping(request);
    const confirmed = await world.shipping.confirmShippingMethod(
      { methodId: method.id, ...request },
      service,
    );
    expect(confirmed).to.deep.equal({ option: quote.options[0], totalWeightGrams: 3200 });
    expect(confirmed.option!.price).to.deep.equal(eur(350 + 80));

    const notAvailable = async (cause: string, call: Promise<unknown>) => {
      const failure = await failureOf(call);
      expect(failure.code, cause).to.equal(status.FAILED_PRECONDITION);
      expect(failure.errorInfo, cause).to.deep.equal({
        reason: ShippingReason.SHIPPING_METHOD_NOT_AVAILABLE,
        metadata: { method_id: method.id, cause },
      });
    };
    await notAvailable(
      'address',
      world.shipping.confirmShippingMethod(
        { methodId: method.id, ...basketTo('NL', [[product, 0, 1]]) },
        service,
      ),
    );
    await notAvailable(
      'currency',
      world.shipping.confirmShippingMethod(
        {
          methodId: method.id,
          ...basketTo('BE', [[product, 0, 1]], { currencyCode: 'GBP', amountMinor: 100 }),
        },
        service,
      ),
    );
    await world.shipping.updateShippingMethod(
      UpdateShippingMethodRequest.fromPartial({ methodId: method.id, active: false }),
      { token: world.adminToken },
    );
    await notAvailable(
      'inactive',
      world.shipping.confirmShippingMethod({ methodId: method.id, ...request }, service),
    );
    expect((await world.shipping.quoteShipping(request)).options).to.deep.equal([]);

    const unknown = await failureOf(
      world.shipping.confirmShippingMethod({ methodId: newId(), ...request }, service),
    );
    expect(unknown.code).to.equal(status.NOT_FOUND);
    const customer = await failureOf(
      world.shipping.confirmShippingMethod(
        { methodId: method.id, ...request },
        { token: await world.customerToken() },
      ),
    );
    expect(customer.code).to.equal(status.PERMISSION_DENIED);
    expect(
      (await failureOf(world.shipping.confirmShippingMethod({ methodId: method.id, ...request }))).code,
    ).to.equal(status.UNAUTHENTICATED);
  });

  it('refuses lines the catalog does not sell and malformed requests, naming the field', async () => {
    const product = await world.product(100);
    const unknownProduct = newId();
    const missing = await failureOf(
      world.shipping.quoteShipping({
        ...basketTo('DE', [[product, 0, 1]]),
        lines: [{ productId: unknownProduct, variantId: newId(), quantity: 1 }],
      }),
    );
    expect(missing.code).to.equal(status.NOT_FOUND);
    expect(missing.details).to.equal(`product ${unknownProduct} (lines[0].product_id) not found`);

    const otherVariant = await failureOf(
      world.shipping.quoteShipping({
        ...basketTo('DE', [[product, 0, 1]]),
        lines: [{ productId: product.id, variantId: newId(), quantity: 1 }],
      }),
    );
    expect(otherVariant.code).to.equal(status.INVALID_ARGUMENT);
    expect(otherVariant.violations.map((v) => v.field)).to.deep.equal(['lines[0].variant_id']);

    const malformed = await failureOf(
      world.shipping.quoteShipping({
        ...basketTo('Germany', [[product, 0, 0]]),
        subtotal: undefined,
      }),
    );
    expect(malformed.code).to.equal(status.INVALID_ARGUMENT);
    expect(malformed.violations.map((v) => v.field)).to.deep.equal([
      'destination.country',
      'lines[0].quantity',
      'subtotal',
    ]);
  });

  it('answers UNAVAILABLE while the product service is down (at once once the breaker is open), and recovers', async () => {
    const zone = await world.zone({ name: 'Denmark', countries: ['DK'] });
    const method = await world.method(zone, await world.carrier(), { basePrice: eur(500) });
    const product = await world.product(100);
    const request = basketTo('DK', [[product, 0, 1]]);
    expect((await world.shipping.quoteShipping(request)).options).to.have.length(1);

    await world.mesh.stopService('product');
    try {
      const failures: CallFailure[] = [];
      while (failures.length < 20 && !/circuit open/.test(failures.at(-1)?.details ?? '')) {
        failures.push(await failureOf(world.shipping.quoteShipping(request)));
      }
      expect(failures.map((f) => f.code)).to.deep.equal(failures.map(() => status.UNAVAILABLE));
      expect(failures.at(-1)!.details).to.equal('product service unavailable (circuit open)');
      const confirm = await failureOf(
        world.shipping.confirmShippingMethod(
          { methodId: method.id, ...request },
          { token: world.serviceToken },
        ),
      );
      expect(confirm.code).to.equal(status.UNAVAILABLE);
      expect(confirm.details).to.equal('product service unavailable (circuit open)');
    } finally {
      await world.mesh.startService('product');
    }
    const recovered = await eventually(() => world.shipping.quoteShipping(request), {
      timeoutMs: 20_000,
      intervalMs: 250,
      what: 'QuoteShipping to recover once the product service is back',
    });
    expect(recovered.options).to.have.length(1);
  });
});

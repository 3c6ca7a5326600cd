import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import {
  CreateCarrierRequest,
  CreateShippingMethodRequest,
  CreateShippingRateRequest,
  CreateZoneRequest,
  GetCarrierRequest,
  ListCarriersRequest,
  ServiceType,
  UpdateCarrierRequest,
} from '../gen/ecommerce/shipping/v1/shipping.js';
import { ShippingReason } from '../lib/error-reasons.js';
import { newId } from '../lib/ids.js';
import { failureOf } from './support/clients.js';
import { unique } from './support/unique.js';
import { eur, startShippingWorld, type ShippingWorld } from './shipping-fixtures.js';

/** The answer's bytes as they cross the wire, undecoded. */
function rawAnswer(address: string, method: string, request: Uint8Array, token: string): Promise<Buffer> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return new Promise<Buffer>((resolve, reject) => {
    client.makeUnaryRequest(
      `/ecommerce.shipping.v1.ShippingService/${method}`,
      (bytes: Uint8Array) => Buffer.from(bytes),
      (bytes: Buffer) => bytes,
      request,
      metadata,
      { deadline: Date.now() + 10_000 },
      (error, response) => (error ? reject(error) : resolve(response!)),
    );
  }).finally(() => client.close());
}

/** The shipping staff's RPCs over real gRPC: who may call them, what they refuse, what they never say. */
describe('shipping administration over gRPC', function () {
  this.timeout(180_000);
  let world: ShippingWorld;
  let admin: { token: string };

  before(async () => {
    world = await startShippingWorld();
    admin = { token: world.adminToken };
  });
  after(async () => {
    await world?.stop();
  });

  it('lets shipping:read read and shipping:write change; refuses customers, services and callers without a token', async () => {
    const reader = { token: await world.staffToken(['shipping:read']) };
    const writer = { token: await world.staffToken(['shipping:write']) };
    const customer = { token: await world.customerToken() };
    const service = { token: world.serviceToken };
    const create = CreateZoneRequest.fromPartial({ name: 'Staff zone', countries: ['IE'] });

    const { zone } = await world.shipping.createZone(create, writer);
    expect((await world.shipping.getZone({ zoneId: zone!.id }, reader)).zone).to.deep.equal(zone);
    expect((await world.shipping.getZone({ zoneId: zone!.id }, writer)).zone).to.deep.equal(zone);
    const listed = await world.shipping.listZones({ country: 'IE', page: undefined }, reader);
    expect(listed.zones.map((z) => z.id)).to.deep.equal([zone!.id]);

    for (const [who, caller] of [
      ['reader', reader],
      ['customer', customer],
      ['service', service],
    ] as const) {
      expect((await failureOf(world.shipping.createZone(create, caller))).code, who).to.equal(
        grpc.status.PERMISSION_DENIED,
      );
    }
    expect((await failureOf(world.shipping.getZone({ zoneId: zone!.id }, customer))).code).to.equal(
      grpc.status.PERMISSION_DENIED,
    );
    expect((await failureOf(world.shipping.listCarriers({ page: undefined }))).code).to.equal(
      grpc.status.UNAUTHENTICATED,
    );
  });

  it('never answers a carrier’s API key, not even to an admin: has_api_key says there is one', async () => {
    const secret = `sk_live_${unique('carrier-secret')}`;
    const { carrier } = await world.shipping.createCarrier(
      CreateCarrierRequest.fromPartial({
        name: 'Secret Post',
        code: unique('sp').replace(/-/g, '_'),
        apiKey: secret,
      }),
      admin,
    );
    expect(carrier!.hasApiKey).to.equal(true);
    const address = world.mesh.address('shipping');
    const answers = [
      await rawAnswer(
        address,
        'CreateCarrier',
        CreateCarrierRequest.encode(
          CreateCarrierRequest.fromPartial({
            name: 'Other',
            code: unique('op').replace(/-/g, '_'),
            apiKey: secret,
          }),
        ).finish(),
        world.adminToken,
      ),
      await rawAnswer(
        address,
        'GetCarrier',
        GetCarrierRequest.encode({ carrierId: carrier!.id }).finish(),
        world.adminToken,
      ),
      await rawAnswer(
        address,
        'ListCarriers',
        ListCarriersRequest.encode({ page: { pageSize: 100, pageToken: '' } }).finish(),
        world.adminToken,
      ),
      await rawAnswer(
        address,
        'UpdateCarrier',
        UpdateCarrierRequest.encode(
          UpdateCarrierRequest.fromPartial({ carrierId: carrier!.id, apiKey: `${secret}-rotated` }),
        ).finish(),
        world.adminToken,
      ),
    ];
    for (const bytes of answers) {
      expect(bytes.length).to.be.greaterThan(0);
      expect(bytes.includes(Buffer.from(secret))).to.equal(false);
      // Nor the ciphertext: nothing of the stored value leaves the service.
      expect(bytes.includes(Buffer.from('v1:'))).to.equal(false);
    }
  });

  it('answers every refusal with its status, field and reason', async () => {
    const badZone = await failureOf(
      world.shipping.createZone(CreateZoneRequest.fromPartial({ name: 'x', countries: ['EU'] }), admin),
    );
    expect(badZone.code).to.equal(grpc.status.INVALID_ARGUMENT);
    expect(badZone.violations).to.deep.equal([
      {
        field: 'countries[0]',
        description: 'must be an assigned ISO 3166-1 alpha-2 code in upper case, e.g. DE',
      },
    ]);

    const zone = (
      await world.shipping.createZone(CreateZoneRequest.fromPartial({ name: 'GR', countries: ['GR'] }), admin)
    ).zone!;
    const method = (code: string) =>
      world.shipping.createShippingMethod(
        CreateShippingMethodRequest.fromPartial({
          zoneId: zone.id,
          name: 'Standard',
          carrierCode: code,
          serviceType: ServiceType.SERVICE_TYPE_STANDARD,
          basePrice: eur(500),
          estimatedDays: 4,
        }),
        admin,
      );
    const unknownCarrier = await failureOf(method('nobody_here'));
    expect(unknownCarrier.code).to.equal(grpc.status.FAILED_PRECONDITION);
    expect(unknownCarrier.errorInfo).to.deep.equal({
      reason: ShippingReason.UNKNOWN_CARRIER,
      metadata: { carrier_code: 'nobody_here' },
    });

    const code = await world.carrier();
    const taken = await failureOf(
      world.shipping.createCarrier(CreateCarrierRequest.fromPartial({ name: 'Again', code }), admin),
    );
    expect(taken.code).to.equal(grpc.status.ALREADY_EXISTS);
    expect(taken.errorInfo).to.deep.equal({
      reason: ShippingReason.CARRIER_CODE_TAKEN,
      metadata: { carrier_code: code },
    });

    const { method: created } = await method(code);
    const badTier = await failureOf(
      world.shipping.createShippingRate(
        CreateShippingRateRequest.fromPartial({
          methodId: created!.id,
          minWeightGrams: 1000,
          maxWeightGrams: 500,
          rate: eur(100),
        }),
        admin,
      ),
    );
    expect(badTier.code).to.equal(grpc.status.INVALID_ARGUMENT);
    expect(badTier.violations).to.deep.equal([
      { field: 'max_weight_grams', description: 'must be above min_weight_grams' },
    ]);

    const carriers = await world.shipping.listCarriers({ page: { pageSize: 100, pageToken: '' } }, admin);
    const carrierId = carriers.carriers.find((c) => c.code === code)!.id;
    const inUse = await failureOf(world.shipping.deleteCarrier({ carrierId }, admin));
    expect(inUse.code).to.equal(grpc.status.FAILED_PRECONDITION);
    expect(inUse.errorInfo).to.deep.equal({
      reason: ShippingReason.CARRIER_IN_USE,
      metadata: { carrier_id: carrierId },
    });

    expect((await failureOf(world.shipping.getShippingMethod({ methodId: newId() }, admin))).code).to.equal(
      grpc.status.NOT_FOUND,
    );
    const token = await failureOf(
      world.shipping.listZones({ country: '', page: { pageSize: 1, pageToken: 'forged' } }, admin),
    );
    expect(token.code).to.equal(grpc.status.INVALID_ARGUMENT);
    expect(token.violations.map((v) => v.field)).to.deep.equal(['page.page_token']);

    expect(await world.shipping.deleteShippingMethod({ methodId: created!.id }, admin)).to.deep.equal({
      deleted: true,
    });
    expect(await world.shipping.deleteCarrier({ carrierId }, admin)).to.deep.equal({ deleted: true });
    expect(await world.shipping.deleteCarrier({ carrierId }, admin)).to.deep.equal({ deleted: false });
  });
});

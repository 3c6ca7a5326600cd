import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateProductRequest,
  type CreateVariant,
  type Product,
} from '../gen/ecommerce/product/v1/product.js';
import {
  CreateCarrierRequest,
  CreateShippingMethodRequest,
  CreateShippingRateRequest,
  CreateZoneRequest,
  ServiceType,
  ShippingServiceClient,
  type QuoteShippingRequest,
  type ShippingMethod,
  type ShippingZone,
} from '../gen/ecommerce/shipping/v1/shipping.js';
import { DEV_KEY_FILE, parseKeyRing, TokenSigner } from '../lib/auth/index.js';
import { newId } from '../lib/ids.js';
import { clientsFor, plainClient } from './support/clients.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestMesh, type TestMesh } from './support/mesh.js';
import { internalToken } from './support/tokens.js';
import { unique } from './support/unique.js';

export const eur = (amountMinor: number) => ({ currencyCode: 'EUR', amountMinor });

/** Shared set-up of the shipping suites: auth, product and shipping over real gRPC. */
export interface ShippingWorld {
  mesh: TestMesh;
  api: ReturnType<typeof clientsFor>;
  shipping: ReturnType<typeof plainClient<typeof ShippingServiceClient.service>>;
  adminToken: string;
  serviceToken: string;
  /** A staff account's token holding exactly these permissions. */
  staffToken(permissions: string[]): Promise<string>;
  /** A fresh customer's token. */
  customerToken(): Promise<string>;
  /** A published product: its weight, and one variant per entry of `variants` (own weight or none). */
  product(weightGrams: number | undefined, variants?: (number | undefined)[]): Promise<Product>;
  carrier(patch?: Partial<CreateCarrierRequest>): Promise<string>;
  zone(patch: Partial<CreateZoneRequest>): Promise<ShippingZone>;
  method(
    zone: ShippingZone,
    carrierCode: string,
    patch?: Partial<CreateShippingMethodRequest>,
  ): Promise<ShippingMethod>;
  rate(method: ShippingMethod, patch: Partial<CreateShippingRateRequest>): Promise<void>;
  stop(): Promise<void>;
}

export async function startShippingWorld(): Promise<ShippingWorld> {
  const mesh = await startTestMesh(['auth', 'product', 'shipping']);
  const api = clientsFor((name) => mesh.address(name));
  const shipping = plainClient(ShippingServiceClient, mesh.address('shipping'));
  const adminToken = (await api.auth.login({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD })).accessToken;
  const serviceToken = await internalToken(mesh, 'order');
  const signer = await TokenSigner.create(
    await parseKeyRing(readFileSync(join(mesh.dataDir, DEV_KEY_FILE), 'utf8')),
  );
  const admin = { token: adminToken };
  return {
    mesh,
    api,
    shipping,
    adminToken,
    serviceToken,
    staffToken: (permissions) =>
      signer.sign(
        { userId: newId(), email: `${unique('staff')}@example.com`, roles: ['staff'], permissions },
        600,
      ),
    async customerToken() {
      const email = `${unique('shopper')}@example.com`;
      await api.auth.register({ email, password: 'correct-horse-42', firstName: 'Ada', lastName: 'Lee' });
      return (await api.auth.login({ email, password: 'correct-horse-42' })).accessToken;
    },
    async product(weightGrams, variants = [undefined]) {
      const sku = unique('SHIP').toUpperCase();
      const { product } = await api.product.createProduct(
        CreateProductRequest.fromPartial({
          sku,
          name: 'Parcel test',
          slug: unique('parcel'),
          price: eur(1999),
          weightGrams,
          variants: variants.map((own, k): Partial<CreateVariant> => ({
            sku: `${sku}-${k}`,
            name: `V${k}`,
            initialStock: 10,
            weightGrams: own,
          })),
        }),
        admin,
      );
      return product!;
    },
    async carrier(patch = {}) {
      const { carrier } = await shipping.createCarrier(
        CreateCarrierRequest.fromPartial({ name: 'Carrier', code: unique('c').replace(/-/g, '_'), ...patch }),
        admin,
      );
      return carrier!.code;
    },
    async zone(patch) {
      return (await shipping.createZone(CreateZoneRequest.fromPartial({ name: 'Zone', ...patch }), admin))
        .zone!;
    },
    async method(zone, carrierCode, patch = {}) {
      const { method } = await shipping.createShippingMethod(
        CreateShippingMethodRequest.fromPartial({
          zoneId: zone.id,
          name: 'Standard',
          carrierCode,
          serviceType: ServiceType.SERVICE_TYPE_STANDARD,
          basePrice: eur(0),
          estimatedDays: 3,
          ...patch,
        }),
        admin,
      );
      return method!;
    },
    async rate(method, patch) {
      await shipping.createShippingRate(
        CreateShippingRateRequest.fromPartial({ methodId: method.id, ...patch }),
        admin,
      );
    },
    async stop() {
      for (const client of Object.values(api)) client.close();
      shipping.close();
      await mesh.stop();
    },
  };
}

/** A quote request to `country` for `lines` ([product, variant index, quantity]). */
export function basketTo(
  country: string,
  lines: [Product, number, number][],
  subtotal = eur(2000),
  postalCode = '',
): QuoteShippingRequest {
  return {
    destination: {
      firstName: 'Ada',
      lastName: 'Lee',
      company: '',
      line1: '1 Test Street',
      line2: '',
      city: 'Testville',
      state: '',
      postalCode,
      country,
      phone: '',
    },
    lines: lines.map(([product, variant, quantity]) => ({
      productId: product.id,
      variantId: product.variants[variant]!.id,
      quantity,
    })),
    subtotal,
  };
}

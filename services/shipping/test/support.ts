import { randomBytes } from 'node:crypto';
import {
  CreateCarrierRequest,
  CreateShippingMethodRequest,
  CreateShippingRateRequest,
  CreateZoneRequest,
  ServiceType,
  type QuoteShippingRequest,
  type ShippingMethod,
  type ShippingZone,
} from '../../../gen/ecommerce/shipping/v1/shipping.js';
import { Product, ProductStatus } from '../../../gen/ecommerce/product/v1/product.js';
import { parseEncryptionKeys, SecretCipher } from '../../../lib/crypto/index.js';
import { newId } from '../../../lib/ids.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { openScratchDatabase, type ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { shippingDatabase } from '../src/database.js';
import { createCarrier } from '../src/domain/admin/carriers.js';
import { createShippingMethod } from '../src/domain/admin/methods.js';
import { createShippingRate } from '../src/domain/admin/rates.js';
import { createZone } from '../src/domain/admin/zones.js';
import type { Catalog } from '../src/domain/quote/catalog.js';

export function openShippingDatabase(prefix: string): Promise<ScratchDatabase> {
  return openScratchDatabase(prefix, shippingDatabase);
}

export function testCipher(id = 'k1'): SecretCipher {
  return new SecretCipher(parseEncryptionKeys(`${id}:${randomBytes(32).toString('base64')}`, 'TEST_KEYS'));
}

export const eur = (amountMinor: number) => ({ currencyCode: 'EUR', amountMinor });

/** A published product of one variant per weight (undefined: no weight known). */
export function productWeighing(...weights: (number | undefined)[]): Product {
  return Product.fromPartial({
    id: newId(),
    status: ProductStatus.PRODUCT_STATUS_ACTIVE,
    visible: true,
    variants: weights.map((weightGrams) => ({ id: newId(), weightGrams })),
  });
}

/** A catalog that knows `products` (and counts its calls). */
export function catalogOf(...products: Product[]): Catalog & { calls: number } {
  const known = new Map(products.map((product) => [product.id, product]));
  return {
    calls: 0,
    async getProducts(ids) {
      this.calls++;
      return new Map(ids.flatMap((id) => (known.has(id) ? [[id, known.get(id)!] as const] : [])));
    },
  };
}

/** Builds zones, methods and tiers through the admin operations. */
export function shippingAdmin(em: () => EntityManager, cipher = testCipher()) {
  let carrierCount = 0;
  return {
    async carrier(patch: Partial<CreateCarrierRequest> = {}) {
      return createCarrier(
        em(),
        cipher,
        CreateCarrierRequest.fromPartial({
          name: 'Carrier',
          code: `c${Date.now().toString(36)}_${carrierCount++}_${randomBytes(2).toString('hex')}`,
          ...patch,
        }),
      );
    },
    async zone(patch: Partial<CreateZoneRequest>): Promise<ShippingZone> {
      return createZone(em(), CreateZoneRequest.fromPartial({ name: 'Zone', ...patch }));
    },
    async method(
      zone: ShippingZone,
      carrierCode: string,
      patch: Partial<CreateShippingMethodRequest> = {},
    ): Promise<ShippingMethod> {
      return createShippingMethod(
        em(),
        CreateShippingMethodRequest.fromPartial({
          zoneId: zone.id,
          name: 'Standard',
          carrierCode,
          serviceType: ServiceType.SERVICE_TYPE_STANDARD,
          basePrice: eur(0),
          estimatedDays: 3,
          ...patch,
        }),
      );
    },
    async rate(method: ShippingMethod, patch: Partial<CreateShippingRateRequest>) {
      return createShippingRate(
        em(),
        CreateShippingRateRequest.fromPartial({ methodId: method.id, ...patch }),
      );
    },
  };
}

/** A quote request for one line of `quantity` units of the product's first variant. */
export function quoteRequest(
  product: Product,
  options: {
    country: string;
    state?: string;
    postalCode?: string;
    quantity?: number;
    variant?: number;
    subtotal?: { currencyCode: string; amountMinor: number };
  },
): QuoteShippingRequest {
  return {
    destination: {
      firstName: '',
      lastName: '',
      company: '',
      line1: '',
      line2: '',
      city: '',
      state: options.state ?? '',
      postalCode: options.postalCode ?? '',
      country: options.country,
      phone: '',
    },
    lines: [
      {
        productId: product.id,
        variantId: product.variants[options.variant ?? 0]!.id,
        quantity: options.quantity ?? 1,
      },
    ],
    subtotal: options.subtotal ?? eur(1000),
  };
}

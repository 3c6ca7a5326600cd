import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import {
  ServiceType,
  type CreateShippingMethodRequest,
  type ShippingMethod as ShippingMethodMessage,
  type UpdateShippingMethodRequest,
} from '../../../../../gen/ecommerce/shipping/v1/shipping.js';
import { ShippingReason } from '../../../../../lib/error-reasons.js';
import { failedPrecondition, notFound } from '../../../../../lib/errors.js';
import { keysetPageOf, pageFrom, type PageInput } from '../../../../../lib/paging/index.js';
import { checked, requireUuid, type Violations } from '../../../../../lib/validation/index.js';
import { ShippingMethod, ShippingZone } from '../../entities/index.js';
import { serviceTypeColumn } from '../service-types.js';
import { amount, carrierCode } from './input-rules.js';
import { isStillReferenced } from './still-referenced.js';
import { methodMessage } from './views.js';

const MAX_ESTIMATED_DAYS = 365;

function estimatedDays(v: Violations, value: number): number {
  return v.wholeNumber('estimated_days', value, 0, MAX_ESTIMATED_DAYS);
}

/** The carrier with this code, share-locked so that it cannot be deleted before the method commits. */
async function requireCarrier(tx: EntityManager, code: string): Promise<void> {
  const [carrier] = await tx.execute('SELECT id FROM carriers WHERE code = ? FOR SHARE', [code]);
  if (!carrier) {
    throw failedPrecondition(`no carrier has the code ${code}`, ShippingReason.UNKNOWN_CARRIER, {
      carrier_code: code,
    });
  }
}

/** The number of rate tiers of each method, in one query. */
async function rateCounts(em: EntityManager, methodIds: readonly string[]): Promise<Map<string, number>> {
  if (methodIds.length === 0) return new Map();
  const rows = await em.execute<{ method_id: string; n: number }[]>(
    'SELECT method_id, count(*)::int AS n FROM shipping_rates WHERE method_id = ANY(?::uuid[]) GROUP BY method_id',
    [`{${methodIds.join(',')}}`],
  );
  return new Map(rows.map((row) => [row.method_id, Number(row.n)]));
}

/** CreateShippingMethod: a method of an existing zone and carrier; its currency is base_price's. */
export async function createShippingMethod(
  em: EntityManager,
  input: CreateShippingMethodRequest,
): Promise<ShippingMethodMessage> {
  const method = checked((v) => {
    const currency = input.basePrice?.currencyCode ?? '';
    const serviceType = serviceTypeColumn(input.serviceType);
    if (!serviceType) v.add('service_type', 'is required: STANDARD, EXPRESS or OVERNIGHT');
    return {
      zoneId: v.uuid('zone_id', input.zoneId),
      name: v.text('name', input.name, 1, 200),
      carrierCode: carrierCode(v, 'carrier_code', input.carrierCode),
      serviceType: serviceType ?? 'standard',
      currency,
      basePrice: amount(v, 'base_price', input.basePrice),
      pricePerKg: input.pricePerKg ? amount(v, 'price_per_kg', input.pricePerKg, currency) : 0,
      pricePerItem: input.pricePerItem ? amount(v, 'price_per_item', input.pricePerItem, currency) : 0,
      estimatedDays: estimatedDays(v, input.estimatedDays),
      isActive: input.active ?? true,
    };
  });
  return em.transactional(async (tx) => {
    const zone = await tx.findOne(ShippingZone, method.zoneId);
    if (!zone) throw notFound('shipping zone', method.zoneId);
    await requireCarrier(tx, method.carrierCode);
    const { zoneId: _zoneId, ...columns } = method;
    const created = tx.create(ShippingMethod, { ...columns, zone });
    await tx.flush();
    return methodMessage(created, 0);
  });
}

export async function getShippingMethod(em: EntityManager, methodId: string): Promise<ShippingMethodMessage> {
  const id = requireUuid('method_id', methodId);
  const method = await em.findOne(ShippingMethod, id);
  if (!method) throw notFound('shipping method', id);
  return methodMessage(method, (await rateCounts(em, [id])).get(id) ?? 0);
}

/** ListShippingMethods: oldest first, keyset pages on the id; optionally of one zone. */
export async function listShippingMethods(
  em: EntityManager,
  input: { zoneId: string; page?: PageInput | undefined },
): Promise<{ methods: ShippingMethodMessage[]; nextPageToken: string }> {
  const zoneId = checked((v) => v.optionalUuid('zone_id', input.zoneId));
  const page = keysetPageOf(input.page, { listing: 'methods', zoneId }, 'none');
  const found = await em.find(
    ShippingMethod,
    {
      ...(zoneId ? { zone: zoneId } : {}),
      ...(page.after ? { id: { $gt: page.after.id } } : {}),
    },
    { orderBy: { id: 'asc' }, limit: page.size + 1 },
  );
  const { rows, nextPageToken } = pageFrom(found, page, (method) => ({ key: '', id: method.id }));
  const counts = await rateCounts(
    em,
    rows.map((method) => method.id),
  );
  return { methods: rows.map((method) => methodMessage(method, counts.get(method.id) ?? 0)), nextPageToken };
}

/** UpdateShippingMethod: the fields set; prices in the method's currency, a carrier that exists. */
export async function updateShippingMethod(
  em: EntityManager,
  input: UpdateShippingMethodRequest,
): Promise<ShippingMethodMessage> {
  const id = requireUuid('method_id', input.methodId);
  return em.transactional(async (tx) => {
    const method = await tx.findOne(ShippingMethod, id, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!method) throw notFound('shipping method', id);
    const change = checked((v) => ({
      name: input.name === undefined ? undefined : v.text('name', input.name, 1, 200),
      carrierCode:
        input.carrierCode === undefined ? undefined : carrierCode(v, 'carrier_code', input.carrierCode),
      serviceType:
        input.serviceType === ServiceType.SERVICE_TYPE_UNSPECIFIED
          ? undefined
          : serviceTypeColumn(input.serviceType),
      basePrice: input.basePrice && amount(v, 'base_price', input.basePrice, method.currency),
      pricePerKg: input.pricePerKg && amount(v, 'price_per_kg', input.pricePerKg, method.currency),
      pricePerItem: input.pricePerItem && amount(v, 'price_per_item', input.pricePerItem, method.currency),
      estimatedDays: input.estimatedDays === undefined ? undefined : estimatedDays(v, input.estimatedDays),
    }));
    if (change.carrierCode !== undefined && change.carrierCode !== method.carrierCode) {
      await requireCarrier(tx, change.carrierCode);
      method.carrierCode = change.carrierCode;
    }
    if (change.name !== undefined) method.name = change.name;
    if (change.serviceType !== undefined) method.serviceType = change.serviceType;
    if (change.basePrice !== undefined) method.basePrice = change.basePrice;
    if (change.pricePerKg !== undefined) method.pricePerKg = change.pricePerKg;
    if (change.pricePerItem !== undefined) method.pricePerItem = change.pricePerItem;
    if (change.estimatedDays !== undefined) method.estimatedDays = change.estimatedDays;
    if (input.active !== undefined) method.isActive = input.active;
    await tx.flush();
    return methodMessage(method, (await rateCounts(tx, [id])).get(id) ?? 0);
  });
}

/** DeleteShippingMethod: the method and its tiers; one that shipments used stays (SHIPPING_METHOD_IN_USE). */
export async function deleteShippingMethod(em: EntityManager, methodId: string): Promise<boolean> {
  const id = requireUuid('method_id', methodId);
  try {
    return await em.transactional(async (tx) => {
      const deleted = await tx.execute('DELETE FROM shipping_methods WHERE id = ? RETURNING id', [id]);
      return deleted.length > 0;
    });
  } catch (error) {
    if (isStillReferenced(error)) {
      throw failedPrecondition(
        `shipping method ${id} was used by shipments: deactivate it instead`,
        ShippingReason.SHIPPING_METHOD_IN_USE,
        { method_id: id },
      );
    }
    throw error;
  }
}

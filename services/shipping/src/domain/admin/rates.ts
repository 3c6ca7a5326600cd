import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import type {
  CreateShippingRateRequest,
  ShippingRate as ShippingRateMessage,
  UpdateShippingRateRequest,
} from '../../../../../gen/ecommerce/shipping/v1/shipping.js';
import { decimalOfScaledInteger } from '../../../../../lib/db/scaled-decimal.js';
import { notFound } from '../../../../../lib/errors.js';
import { keysetPageOf, pageFrom, type PageInput } from '../../../../../lib/paging/index.js';
import { checked, requireUuid, type Violations } from '../../../../../lib/validation/index.js';
import { ShippingMethod, ShippingRate } from '../../entities/index.js';
import { amount } from './input-rules.js';
import { rateMessage } from './views.js';

/** The largest weight a tier can name: what `numeric(10,3)` kilograms hold, in grams. */
export const MAX_TIER_GRAMS = 9_999_999_999;

type TierInput = Omit<CreateShippingRateRequest, 'methodId'>;

function grams(v: Violations, field: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_TIER_GRAMS) {
    v.add(field, `must be a whole number of grams from 0 to ${MAX_TIER_GRAMS}`);
  }
  return value;
}

/** A tier's columns from a request, its amounts in the method's currency; maxima above minima. */
function tierColumns(v: Violations, input: TierInput, currency: string) {
  const minGrams = grams(v, 'min_weight_grams', input.minWeightGrams);
  const maxGrams =
    input.maxWeightGrams === undefined ? null : grams(v, 'max_weight_grams', input.maxWeightGrams);
  if (maxGrams !== null && !v.has('max_weight_grams') && maxGrams <= minGrams) {
    v.add('max_weight_grams', 'must be above min_weight_grams');
  }
  const minAmount = input.minAmount ? amount(v, 'min_amount', input.minAmount, currency) : 0;
  const maxAmount = input.maxAmount ? amount(v, 'max_amount', input.maxAmount, currency) : null;
  if (maxAmount !== null && !v.has('max_amount.amount_minor') && maxAmount <= minAmount) {
    v.add('max_amount', 'must be above min_amount');
  }
  return {
    minWeight: decimalOfScaledInteger(minGrams, 3),
    maxWeight: maxGrams === null ? null : decimalOfScaledInteger(maxGrams, 3),
    minAmount,
    maxAmount,
    rate: amount(v, 'rate', input.rate, currency),
    currency,
  };
}

/** CreateShippingRate: a tier of an existing method, in its currency. */
export async function createShippingRate(
  em: EntityManager,
  input: CreateShippingRateRequest,
): Promise<ShippingRateMessage> {
  const methodId = requireUuid('method_id', input.methodId);
  return em.transactional(async (tx) => {
    const method = await tx.findOne(ShippingMethod, methodId);
    if (!method) throw notFound('shipping method', methodId);
    const columns = checked((v) => tierColumns(v, input, method.currency));
    const rate = tx.create(ShippingRate, { ...columns, method });
    await tx.flush();
    return rateMessage(rate);
  });
}

/** ListShippingRates: a method's tiers, oldest first, keyset pages on the id. */
export async function listShippingRates(
  em: EntityManager,
  input: { methodId: string; page?: PageInput | undefined },
): Promise<{ rates: ShippingRateMessage[]; nextPageToken: string }> {
  const methodId = requireUuid('method_id', input.methodId);
  const page = keysetPageOf(input.page, { listing: 'rates', methodId }, 'none');
  if (!(await em.findOne(ShippingMethod, methodId, { fields: ['id'] }))) {
    throw notFound('shipping method', methodId);
  }
  const found = await em.find(
    ShippingRate,
    { method: methodId, ...(page.after ? { id: { $gt: page.after.id } } : {}) },
    { orderBy: { id: 'asc' }, limit: page.size + 1 },
  );
  const { rows, nextPageToken } = pageFrom(found, page, (rate) => ({ key: '', id: rate.id }));
  return { rates: rows.map(rateMessage), nextPageToken };
}

/** UpdateShippingRate: every field of the tier replaced, by the rules of its creation. */
export async function updateShippingRate(
  em: EntityManager,
  input: UpdateShippingRateRequest,
): Promise<ShippingRateMessage> {
  const id = requireUuid('rate_id', input.rateId);
  return em.transactional(async (tx) => {
    const rate = await tx.findOne(ShippingRate, id, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!rate) throw notFound('shipping rate', id);
    const columns = checked((v) => tierColumns(v, input, rate.currency));
    rate.minWeight = columns.minWeight;
    rate.maxWeight = columns.maxWeight;
    rate.minAmount = columns.minAmount;
    rate.maxAmount = columns.maxAmount;
    rate.rate = columns.rate;
    await tx.flush();
    return rateMessage(rate);
  });
}

export async function deleteShippingRate(em: EntityManager, rateId: string): Promise<boolean> {
  const id = requireUuid('rate_id', rateId);
  return em.transactional(async (tx) => {
    const deleted = await tx.execute('DELETE FROM shipping_rates WHERE id = ? RETURNING id', [id]);
    return deleted.length > 0;
  });
}

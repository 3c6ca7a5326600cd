import type {
  Carrier as CarrierMessage,
  ShippingMethod as ShippingMethodMessage,
  ShippingRate as ShippingRateMessage,
  ShippingZone as ShippingZoneMessage,
} from '../../../../../gen/ecommerce/shipping/v1/shipping.js';
import { scaledIntegerOf } from '../../../../../lib/db/scaled-decimal.js';
import type { Carrier, ShippingMethod, ShippingRate, ShippingZone } from '../../entities/index.js';
import { serviceTypeMessage } from '../service-types.js';

/** The entities as the contract shows them (a carrier's API key never). */

export function zoneMessage(zone: ShippingZone): ShippingZoneMessage {
  return {
    id: zone.id,
    name: zone.name,
    countries: [...zone.countries],
    states: [...zone.states],
    postalPatterns: [...zone.postalCodes],
    priority: zone.priority,
    active: zone.isActive,
    createdAt: zone.createdAt,
    updatedAt: zone.updatedAt,
  };
}

export function methodMessage(method: ShippingMethod, rateCount: number): ShippingMethodMessage {
  const money = (amountMinor: number) => ({ currencyCode: method.currency, amountMinor });
  return {
    id: method.id,
    zoneId: method.zone.id,
    name: method.name,
    carrierCode: method.carrierCode,
    serviceType: serviceTypeMessage(method.serviceType),
    basePrice: money(method.basePrice),
    pricePerKg: money(method.pricePerKg),
    pricePerItem: money(method.pricePerItem),
    estimatedDays: method.estimatedDays,
    active: method.isActive,
    rateCount,
    createdAt: method.createdAt,
    updatedAt: method.updatedAt,
  };
}

export function rateMessage(rate: ShippingRate): ShippingRateMessage {
  const money = (amountMinor: number) => ({ currencyCode: rate.currency, amountMinor });
  return {
    id: rate.id,
    methodId: rate.method.id,
    minWeightGrams: scaledIntegerOf(rate.minWeight, 3),
    maxWeightGrams:
      rate.maxWeight === null || rate.maxWeight === undefined
        ? undefined
        : scaledIntegerOf(rate.maxWeight, 3),
    minAmount: money(rate.minAmount),
    maxAmount: rate.maxAmount === null || rate.maxAmount === undefined ? undefined : money(rate.maxAmount),
    rate: money(rate.rate),
    createdAt: rate.createdAt,
    updatedAt: rate.updatedAt,
  };
}

export function carrierMessage(carrier: Carrier): CarrierMessage {
  return {
    id: carrier.id,
    name: carrier.name,
    code: carrier.code,
    apiEndpoint: carrier.apiEndpoint ?? '',
    hasApiKey: carrier.apiKey !== null && carrier.apiKey !== undefined,
    active: carrier.isActive,
    configurationJson: JSON.stringify(carrier.configuration ?? {}),
    createdAt: carrier.createdAt,
    updatedAt: carrier.updatedAt,
  };
}

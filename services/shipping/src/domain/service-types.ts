import { ServiceType } from '../../../../gen/ecommerce/shipping/v1/shipping.js';
import type { ShippingServiceType } from '../entities/shipping-method.js';

const TO_MESSAGE: Record<ShippingServiceType, ServiceType> = {
  standard: ServiceType.SERVICE_TYPE_STANDARD,
  express: ServiceType.SERVICE_TYPE_EXPRESS,
  overnight: ServiceType.SERVICE_TYPE_OVERNIGHT,
};

/** The column's value as the contract's enum. */
export function serviceTypeMessage(type: ShippingServiceType): ServiceType {
  return TO_MESSAGE[type] ?? ServiceType.SERVICE_TYPE_UNSPECIFIED;
}

/** The contract's enum as the column's value; undefined for UNSPECIFIED. */
export function serviceTypeColumn(type: ServiceType): ShippingServiceType | undefined {
  return (Object.keys(TO_MESSAGE) as ShippingServiceType[]).find((key) => TO_MESSAGE[key] === type);
}

import { Carrier } from './carrier.js';
import { ShipmentTracking } from './shipment-tracking.js';
import { Shipment } from './shipment.js';
import { ShippingMethod } from './shipping-method.js';
import { ShippingRate } from './shipping-rate.js';
import { ShippingZone } from './shipping-zone.js';

export { Carrier, Shipment, ShipmentTracking, ShippingMethod, ShippingRate, ShippingZone };

export const shippingEntities = [
  ShippingZone,
  ShippingMethod,
  ShippingRate,
  Carrier,
  Shipment,
  ShipmentTracking,
];

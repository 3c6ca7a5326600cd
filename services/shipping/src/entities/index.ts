import { Carrier } from './carrier.js';
import { ShipmentItem } from './shipment-item.js';
import { ShipmentTracking } from './shipment-tracking.js';
import { Shipment } from './shipment.js';
import { ShippingMethod } from './shipping-method.js';
import { ShippingRate } from './shipping-rate.js';
import { ShippingZone } from './shipping-zone.js';
import { SimulatedCarrierClock } from './simulated-carrier-clock.js';

export {
  Carrier,
  Shipment,
  ShipmentItem,
  ShipmentTracking,
  ShippingMethod,
  ShippingRate,
  ShippingZone,
  SimulatedCarrierClock,
};

export const shippingEntities = [
  ShippingZone,
  ShippingMethod,
  ShippingRate,
  Carrier,
  Shipment,
  ShipmentItem,
  ShipmentTracking,
  SimulatedCarrierClock,
];

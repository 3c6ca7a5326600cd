import type { SecretCipher } from '../../../../lib/crypto/index.js';
import type { CarrierAdapters } from './carriers/carrier-adapter.js';
import type { SimulatedClock } from './carriers/simulated-clock.js';
import type { ShipmentApproval } from './fulfilment/shipment-approval.js';
import type { Catalog } from './quote/catalog.js';

/** What the shipping operations need besides a database. */
export interface ShippingDeps {
  /** The product service: the lines' weights. */
  catalog: Catalog;
  /** Encrypts carrier API keys (SHIPPING_CARRIER_KEYS). */
  carrierKeys: SecretCipher;
  /** The adapter of each carrier (books parcels, reports their news). */
  carriers: CarrierAdapters;
  /** The order service: its consent before a parcel leaves. */
  approval: ShipmentApproval;
  /** The simulated carrier's clock (AdvanceSimulatedCarrier). */
  simulatedClock: SimulatedClock;
}

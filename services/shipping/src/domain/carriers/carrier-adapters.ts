import type { CarrierAdapter, CarrierAdapters } from './carrier-adapter.js';

/**
 * The adapters of the carriers with an integration of their own, by carrier code; every other
 * carrier is served by `fallback` (the simulated carrier: the store has no real integration yet).
 */
export function carrierAdapters(
  fallback: CarrierAdapter,
  integrations: ReadonlyMap<string, CarrierAdapter> = new Map(),
): CarrierAdapters {
  return { adapterFor: (carrierCode) => integrations.get(carrierCode) ?? fallback };
}

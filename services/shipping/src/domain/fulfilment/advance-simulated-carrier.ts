import type { EntityManager } from '@mikro-orm/postgresql';
import type { AdvanceSimulatedCarrierResponse } from '../../../../../gen/ecommerce/shipping/v1/shipping.js';
import { checked } from '../../../../../lib/validation/index.js';
import type { CarrierAdapters } from '../carriers/carrier-adapter.js';
import type { SimulatedClock } from '../carriers/simulated-clock.js';
import { pollTracking } from './poll-tracking.js';

const MAX_SECONDS = 365 * 24 * 3600;

/**
 * AdvanceSimulatedCarrier: moves the simulated clock forward, then polls every parcel on its way
 * at once (what the periodic tracking job would do at its next run), so the caller finds the news
 * recorded when the call returns.
 */
export async function advanceSimulatedCarrier(
  em: () => EntityManager,
  adapters: CarrierAdapters,
  clock: SimulatedClock,
  request: { seconds: number },
): Promise<AdvanceSimulatedCarrierResponse> {
  const seconds = checked((v) => v.wholeNumber('seconds', request.seconds, 0, MAX_SECONDS));
  const simulatedNow = await clock.advance(seconds * 1000);
  const entriesRecorded = await pollTracking(em, adapters);
  return { simulatedNow, entriesRecorded };
}

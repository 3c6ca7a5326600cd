import type { EntityManager } from '@mikro-orm/postgresql';
import { Carrier, Shipment } from '../../entities/index.js';
import type { CarrierAdapters } from '../carriers/carrier-adapter.js';
import { recordTracking } from './record-tracking.js';

const BATCH = 100;
const ON_THE_WAY = ['shipped', 'in_transit', 'out_for_delivery', 'exception'] as const;

/**
 * Asks each parcel's carrier for its news and records it, for every shipment on its way, in
 * batches by id (each shipment in its own transaction, after the carrier's answer). Safe on every
 * replica at once: an entry is recorded once. Answers the entries recorded.
 */
export async function pollTracking(
  em: () => EntityManager,
  adapters: CarrierAdapters,
  stopping: () => boolean = () => false,
): Promise<number> {
  let recorded = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const reader = em();
    const batch = await reader.find(
      Shipment,
      { status: { $in: [...ON_THE_WAY] }, id: { $gt: after } },
      { orderBy: { id: 'asc' }, limit: BATCH },
    );
    if (batch.length === 0 || stopping()) return recorded;
    const carrierIds = [...new Set(batch.map((shipment) => shipment.carrier!.id))];
    const codes = new Map(
      (await reader.find(Carrier, { id: { $in: carrierIds } })).map((carrier) => [carrier.id, carrier.code]),
    );
    for (const shipment of batch) {
      const code = codes.get(shipment.carrier!.id)!;
      const reports = await adapters.adapterFor(code).track({
        trackingNumber: shipment.trackingNumber!,
        destination: shipment.destinationAddress,
        booking: shipment.carrierResponse ?? {},
      });
      recorded += await recordTracking(em(), shipment, reports);
    }
    after = batch.at(-1)!.id;
  }
}

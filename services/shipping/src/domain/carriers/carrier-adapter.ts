/**
 * What the shipping service needs from a carrier: booking a parcel (which issues its tracking
 * number) and the carrier's news of a parcel. An adapter talks to one carrier's system; it is
 * called outside any transaction (an outside call never holds a database transaction open).
 */

/** A parcel to book. */
export interface ParcelBooking {
  shipmentId: string;
  /** The carrier's code in this store (`dhl`). */
  carrierCode: string;
  /** The destination address, as the shipment stores it. */
  destination: Record<string, unknown>;
  lines: { sku: string; quantity: number }[];
}

/** The carrier's answer to a booking. */
export interface BookedParcel {
  /** Unique across the carrier's parcels. */
  trackingNumber: string;
  /** The carrier's estimate; null when it gives none. */
  estimatedDeliveryAt: Date | null;
  /** What the carrier answered, kept with the shipment (and handed back to `track`). */
  response: Record<string, unknown>;
}

/** A parcel the carrier has, as `track` is asked about it. */
export interface TrackedParcel {
  trackingNumber: string;
  destination: Record<string, unknown>;
  /** The booking's `response`. */
  booking: Record<string, unknown>;
}

export type ReportedStatus = 'in_transit' | 'out_for_delivery' | 'delivered' | 'exception';

/** One event the carrier reports for a parcel. */
export interface TrackingReport {
  /** The carrier's own key of the event, stable across reports: the same event is recorded once. */
  key: string;
  status: ReportedStatus;
  location: string | null;
  description: string;
  occurredAt: Date;
}

export interface CarrierAdapter {
  /** Books the parcel. Throws an AppError (UNAVAILABLE) when the carrier cannot be reached. */
  book(parcel: ParcelBooking): Promise<BookedParcel>;
  /** Every event of the parcel so far, oldest first. */
  track(parcel: TrackedParcel): Promise<TrackingReport[]>;
}

/** The adapter serving each carrier, by the carrier's code. */
export interface CarrierAdapters {
  adapterFor(carrierCode: string): CarrierAdapter;
}

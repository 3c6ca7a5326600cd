import { newId } from '../../../../../lib/ids.js';
import type {
  BookedParcel,
  CarrierAdapter,
  ParcelBooking,
  ReportedStatus,
  TrackedParcel,
  TrackingReport,
} from './carrier-adapter.js';
import type { SimulatedClock } from './simulated-clock.js';

const HOUR = 3_600_000;

/** A postal code the simulated carrier cannot find: its parcels meet an exception first. */
export const UNDELIVERABLE_POSTAL_CODE = '00000';

interface Step {
  key: string;
  afterMs: number;
  status: ReportedStatus;
  location: string;
  description: string;
}

/** The journey of a parcel, in hours after booking (the simulated clock's time). */
const JOURNEY: Step[] = [
  {
    key: 'picked_up',
    afterMs: 2 * HOUR,
    status: 'in_transit',
    location: 'Origin hub',
    description: 'Picked up by the carrier',
  },
  {
    key: 'arrived',
    afterMs: 12 * HOUR,
    status: 'in_transit',
    location: 'Destination hub',
    description: 'Arrived at the destination hub',
  },
  {
    key: 'out_for_delivery',
    afterMs: 20 * HOUR,
    status: 'out_for_delivery',
    location: 'Delivery van',
    description: 'Out for delivery',
  },
  {
    key: 'delivered',
    afterMs: 24 * HOUR,
    status: 'delivered',
    location: 'Recipient',
    description: 'Delivered',
  },
];

/** The journey to an address the carrier cannot find: an exception, then a second attempt. */
const TROUBLED_JOURNEY: Step[] = [
  ...JOURNEY.slice(0, 2),
  {
    key: 'address_not_found',
    afterMs: 20 * HOUR,
    status: 'exception',
    location: 'Delivery van',
    description: 'Address not found; a second attempt follows',
  },
  {
    key: 'second_attempt',
    afterMs: 44 * HOUR,
    status: 'out_for_delivery',
    location: 'Delivery van',
    description: 'Out for delivery (second attempt)',
  },
  {
    key: 'delivered',
    afterMs: 48 * HOUR,
    status: 'delivered',
    location: 'Recipient',
    description: 'Delivered',
  },
];

function journeyTo(destination: Record<string, unknown>): Step[] {
  return destination['postalCode'] === UNDELIVERABLE_POSTAL_CODE ? TROUBLED_JOURNEY : JOURNEY;
}

/**
 * The built-in carrier of a store without a carrier integration (and of tests): it books every
 * parcel at once, with a unique tracking number (`SIM` and 32 hexadecimal digits), and reports its
 * journey on the simulated clock: in transit 2 h after booking, at the destination hub at 12 h,
 * out for delivery at 20 h, delivered at 24 h. To the postal code 00000 the journey meets an
 * exception at 20 h (address not found), then goes out again at 44 h and is delivered at 48 h.
 */
export function simulatedCarrier(clock: SimulatedClock): CarrierAdapter {
  return {
    async book(parcel: ParcelBooking): Promise<BookedParcel> {
      const bookedAt = await clock.now();
      const journey = journeyTo(parcel.destination);
      return {
        trackingNumber: `SIM${newId().replace(/-/g, '').toUpperCase()}`,
        estimatedDeliveryAt: new Date(bookedAt.getTime() + journey.at(-1)!.afterMs),
        response: { simulated: true, booked_at: bookedAt.toISOString() },
      };
    },
    async track(parcel: TrackedParcel): Promise<TrackingReport[]> {
      const bookedAt = Date.parse(String(parcel.booking['booked_at']));
      if (Number.isNaN(bookedAt)) return [];
      const now = (await clock.now()).getTime();
      return journeyTo(parcel.destination)
        .filter((step) => bookedAt + step.afterMs <= now)
        .map((step) => ({
          key: step.key,
          status: step.status,
          location: step.location,
          description: step.description,
          occurredAt: new Date(bookedAt + step.afterMs),
        }));
    },
  };
}

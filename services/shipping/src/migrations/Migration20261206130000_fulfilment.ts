import { Migration } from '@mikro-orm/migrations';

const SHIPMENT_STATUSES = `'pending', 'shipped', 'in_transit', 'out_for_delivery', 'delivered', 'exception', 'cancelled'`;

/**
 * shipping_db, the fulfilment: a shipment is created pending from order.order.confirmed (no carrier
 * until it ships), remembers the order's customer and the shipment it was split from, holds order
 * lines (`shipment_items`), and can be cancelled; tracking entries carry the carrier's key for
 * them, so a report heard twice is recorded once; the simulated carrier's clock. Written so that
 * running it again is harmless.
 */
export class Migration20261206130000_fulfilment extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE shipments ALTER COLUMN carrier_id DROP NOT NULL');
    this.addSql('ALTER TABLE shipments ADD COLUMN IF NOT EXISTS user_id uuid');
    this.addSql('ALTER TABLE shipments ADD COLUMN IF NOT EXISTS split_from_id uuid');
    this.addSql('ALTER TABLE shipments ADD COLUMN IF NOT EXISTS cancelled_at timestamptz');
    this.addSql('ALTER TABLE shipments DROP CONSTRAINT IF EXISTS shipments_split_from_id_fkey');
    this.addSql(`ALTER TABLE shipments ADD CONSTRAINT shipments_split_from_id_fkey
      FOREIGN KEY (split_from_id) REFERENCES shipments (id) ON DELETE RESTRICT`);
    this.addSql('ALTER TABLE shipments DROP CONSTRAINT IF EXISTS shipments_status_check');
    this.addSql(
      `ALTER TABLE shipments ADD CONSTRAINT shipments_status_check CHECK (status IN (${SHIPMENT_STATUSES}))`,
    );
    // Past pending, a shipment has its carrier, its tracking number and its shipping date.
    this.addSql('ALTER TABLE shipments DROP CONSTRAINT IF EXISTS shipments_shipped_check');
    this.addSql(`ALTER TABLE shipments ADD CONSTRAINT shipments_shipped_check CHECK (
      status IN ('pending', 'cancelled')
      OR (carrier_id IS NOT NULL AND tracking_number IS NOT NULL AND shipped_at IS NOT NULL)
    )`);
    this.addSql('ALTER TABLE shipments DROP CONSTRAINT IF EXISTS shipments_cancelled_at_check');
    this.addSql(`ALTER TABLE shipments ADD CONSTRAINT shipments_cancelled_at_check
      CHECK (status <> 'cancelled' OR cancelled_at IS NOT NULL)`);
    // One first shipment per order: a second order.order.confirmed of the order creates nothing.
    this.addSql(
      `CREATE UNIQUE INDEX IF NOT EXISTS shipments_order_first_unique ON shipments (order_id)
         WHERE split_from_id IS NULL`,
    );
    this.addSql(
      'CREATE INDEX IF NOT EXISTS shipments_user_id_idx ON shipments (user_id) WHERE user_id IS NOT NULL',
    );
    this.addSql(
      'CREATE INDEX IF NOT EXISTS shipments_split_from_id_idx ON shipments (split_from_id) WHERE split_from_id IS NOT NULL',
    );
    // The tracking job visits every parcel a carrier still has.
    this.addSql('DROP INDEX IF EXISTS shipments_in_flight_idx');
    this.addSql(
      `CREATE INDEX shipments_in_flight_idx ON shipments (updated_at, id)
         WHERE status IN ('shipped', 'in_transit', 'out_for_delivery', 'exception')`,
    );

    this.addSql('ALTER TABLE shipment_tracking ADD COLUMN IF NOT EXISTS event_key text');
    this.addSql('ALTER TABLE shipment_tracking DROP CONSTRAINT IF EXISTS shipment_tracking_status_check');
    this.addSql(
      `ALTER TABLE shipment_tracking ADD CONSTRAINT shipment_tracking_status_check CHECK (status IN (${SHIPMENT_STATUSES}))`,
    );
    this.addSql(
      `CREATE UNIQUE INDEX IF NOT EXISTS shipment_tracking_event_key_unique ON shipment_tracking (shipment_id, event_key)`,
    );

    this.addSql(`CREATE TABLE IF NOT EXISTS shipment_items (
      id uuid NOT NULL,
      shipment_id uuid NOT NULL,
      order_item_id uuid NOT NULL,
      product_id uuid NOT NULL,
      variant_id uuid NOT NULL,
      sku text NOT NULL,
      quantity integer NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT shipment_items_pkey PRIMARY KEY (id),
      CONSTRAINT shipment_items_shipment_id_fkey FOREIGN KEY (shipment_id) REFERENCES shipments (id)
        ON DELETE CASCADE,
      CONSTRAINT shipment_items_shipment_line_unique UNIQUE (shipment_id, order_item_id),
      CONSTRAINT shipment_items_quantity_check CHECK (quantity > 0)
    )`);

    this.addSql(`CREATE TABLE IF NOT EXISTS simulated_carrier_clock (
      id boolean NOT NULL DEFAULT true,
      offset_ms bigint NOT NULL DEFAULT 0,
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT simulated_carrier_clock_pkey PRIMARY KEY (id),
      CONSTRAINT simulated_carrier_clock_single_row_check CHECK (id),
      CONSTRAINT simulated_carrier_clock_offset_check CHECK (offset_ms >= 0)
    )`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE IF EXISTS simulated_carrier_clock');
    this.addSql('DROP TABLE IF EXISTS shipment_items');
    this.addSql('DROP INDEX IF EXISTS shipment_tracking_event_key_unique');
    this.addSql('ALTER TABLE shipment_tracking DROP COLUMN IF EXISTS event_key');
    this.addSql('DROP INDEX IF EXISTS shipments_order_first_unique');
    this.addSql('DROP INDEX IF EXISTS shipments_user_id_idx');
    this.addSql('ALTER TABLE shipments DROP CONSTRAINT IF EXISTS shipments_shipped_check');
    this.addSql('ALTER TABLE shipments DROP CONSTRAINT IF EXISTS shipments_cancelled_at_check');
    this.addSql('ALTER TABLE shipments DROP COLUMN IF EXISTS split_from_id');
    this.addSql('ALTER TABLE shipments DROP COLUMN IF EXISTS cancelled_at');
    this.addSql('ALTER TABLE shipments DROP COLUMN IF EXISTS user_id');
  }
}
